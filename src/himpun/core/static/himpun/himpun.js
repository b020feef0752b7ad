// Himpun's own small behaviours; everything else is HTMX and Bootstrap.
document.addEventListener("change", (event) => {
  const all = event.target.closest("input[data-select-all]");
  if (!all) return;
  const table = all.closest("table");
  table.querySelectorAll('tbody input[type=checkbox][name="select"]').forEach((box) => {
    box.checked = all.checked;
  });
});
