// The event form's person picker, enhanced: while someone types under "Find someone listed",
// suggestions come from the people search endpoint into a <datalist> (the browser's own
// accessible suggestion list); picking one selects that person in the row's select. Without
// JavaScript the page works too: the typed name is looked up when the form is saved.
document.addEventListener("DOMContentLoaded", () => {
  const rows = document.getElementById("role-rows");
  if (!rows || !rows.dataset.peopleSearch) return;
  const url = rows.dataset.peopleSearch;
  const ids = new Map(); // suggestion label -> person id
  let timer;

  const selectFor = (input) =>
    document.getElementById(input.id.replace(/person_search$/, "person"));

  function suggestionsFor(input) {
    let list = document.getElementById(`${input.id}-suggestions`);
    if (!list) {
      list = document.createElement("datalist");
      list.id = `${input.id}-suggestions`;
      input.after(list);
      input.setAttribute("list", list.id);
    }
    return list;
  }

  function choose(input) {
    const id = ids.get(input.value);
    const select = selectFor(input);
    if (!id || !select) return false;
    let option = [...select.options].find((o) => o.value === String(id));
    if (!option) {
      option = new Option(input.value, String(id));
      select.add(option);
    }
    select.value = String(id);
    return true;
  }

  async function suggest(input, query) {
    const response = await fetch(`${url}?q=${encodeURIComponent(query)}`, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (!response.ok) return;
    const { results } = await response.json();
    const options = results.map(({ id, label }) => {
      ids.set(label, id);
      const option = document.createElement("option");
      option.value = label;
      return option;
    });
    suggestionsFor(input).replaceChildren(...options);
  }

  rows.addEventListener("input", (event) => {
    const input = event.target;
    if (!input.matches("[data-person-search]") || choose(input)) return;
    clearTimeout(timer);
    const query = input.value.trim();
    if (query.length >= 2) timer = setTimeout(() => suggest(input, query), 200);
  });
  rows.addEventListener("change", (event) => {
    if (event.target.matches("[data-person-search]")) choose(event.target);
  });
});
