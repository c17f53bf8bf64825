// "Add another person" on the event form: copies the formset's empty row. Without JavaScript the
// form still offers three blank rows, and more after each save.
document.addEventListener("DOMContentLoaded", () => {
  const button = document.querySelector("[data-add-role-row]");
  const template = document.getElementById("role-row-template");
  const total = document.getElementById("id_roles-TOTAL_FORMS");
  const rows = document.getElementById("role-rows");
  if (!button || !template || !total || !rows) return;
  const max = Number(document.getElementById("id_roles-MAX_NUM_FORMS")?.value || Infinity);
  button.hidden = Number(total.value) >= max;
  button.addEventListener("click", () => {
    const index = Number(total.value);
    if (index >= max) return;
    rows.insertAdjacentHTML("beforeend", template.innerHTML.replaceAll("__prefix__", String(index)));
    total.value = String(index + 1);
    button.hidden = index + 1 >= max;
    const added = rows.lastElementChild;
    const legend = added.querySelector("legend");
    if (legend) legend.textContent = legend.textContent.replace("__num__", String(index + 1));
    const first = added.querySelector("select, input, textarea");
    if (first) first.focus();
  });
});
