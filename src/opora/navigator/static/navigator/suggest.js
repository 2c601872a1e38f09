/* Suggestions under the catalog's search field: the ARIA 1.2 combobox pattern (list
   autocomplete). Arrows move through the suggestions, Enter opens the chosen one (or
   submits what was typed), Escape closes the list; a polite live region says how many
   suggestions there are. No build step, no dependency; without it the form works as is. */
(function () {
  "use strict";
  const input = document.querySelector("input[data-suggest-url]");
  if (!input) return;
  const list = document.getElementById(input.getAttribute("aria-controls"));
  const status = document.getElementById(input.dataset.suggestStatus);
  let items = [];
  let active = -1;
  let timer = null;
  let asked = "";
  let controller = null;

  function announce(text) {
    if (status) status.textContent = text;
  }

  function close() {
    list.hidden = true;
    list.innerHTML = "";
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    items = [];
    active = -1;
  }

  // The search is being submitted: a suggestion still on its way must not open the list
  // over the results.
  function cancel() {
    clearTimeout(timer);
    if (controller) controller.abort();
    asked = input.value.trim();
    close();
  }

  function highlight(index) {
    const options = list.querySelectorAll("[role=option]");
    options.forEach((option, n) => option.setAttribute("aria-selected", n === index ? "true" : "false"));
    active = index;
    if (index >= 0 && options[index]) {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function choose(index) {
    const item = items[index];
    if (!item) return;
    input.value = item.kind === "program" ? item.label : "";
    close();
    window.location.assign(item.url);
  }

  function show(found) {
    items = found;
    list.innerHTML = "";
    if (!found.length) {
      close();
      announce(input.dataset.suggestNone || "");
      return;
    }
    found.forEach((item, n) => {
      const option = document.createElement("li");
      option.id = `${list.id}-${n}`;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.className = `suggestion suggestion-${item.kind}`;
      option.textContent = item.label;
      if (item.kind === "specialisation") {
        const kind = document.createElement("span");
        kind.className = "suggestion-kind";
        kind.textContent = ` — ${input.dataset.suggestSpecialisation || ""}`;
        option.appendChild(kind);
      }
      option.addEventListener("mousedown", (event) => event.preventDefault());
      option.addEventListener("click", () => choose(n));
      list.appendChild(option);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    active = -1;
    announce((input.dataset.suggestCount || "%s").replace("%s", String(found.length)));
  }

  function ask() {
    const text = input.value.trim();
    if (text.length < 2) {
      close();
      return;
    }
    if (text === asked) return;
    asked = text;
    if (controller) controller.abort();
    controller = new AbortController();
    const url = `${input.dataset.suggestUrl}?${new URLSearchParams({ q: text })}`;
    fetch(url, { headers: { Accept: "application/json" }, signal: controller.signal })
      .then((response) => (response.ok ? response.json() : []))
      .then((found) => {
        if (input.value.trim() === text) show(Array.isArray(found) ? found : []);
      })
      .catch(() => {});
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(ask, 200);
  });

  input.addEventListener("keydown", (event) => {
    const open = !list.hidden && items.length > 0;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (!open) {
        asked = "";
        ask();
        return;
      }
      highlight(active + 1 >= items.length ? 0 : active + 1);
    } else if (event.key === "ArrowUp") {
      if (!open) return;
      event.preventDefault();
      highlight(active <= 0 ? items.length - 1 : active - 1);
    } else if (event.key === "Enter") {
      if (open && active >= 0) {
        event.preventDefault();
        choose(active);
      } else {
        cancel();
      }
    } else if (event.key === "Escape") {
      if (open) {
        event.preventDefault();
        close();
        announce("");
      }
    }
  });

  input.addEventListener("blur", () => setTimeout(cancel, 150));
  if (input.form) input.form.addEventListener("submit", cancel);
  document.addEventListener("click", (event) => {
    if (event.target !== input && !list.contains(event.target)) cancel();
  });
})();
