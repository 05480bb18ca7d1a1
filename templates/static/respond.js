/* Live show_if and autosave for the self-assessment form. The page works without this file:
   the server applies show_if on save and the Save button stores answers. The words it shows come
   from the page (a JSON block in the page's language), never from this file. */
(function () {
  "use strict";
  var form = document.getElementById("answers");
  if (!form) { return; }
  var stored = JSON.parse(document.getElementById("answers-data").textContent || "{}");
  var status = document.getElementById("autosave-status");
  var messages = JSON.parse(document.getElementById("respond-messages").textContent || "{}");

  function text(key) { return messages[key] || ""; }

  function current(id) {
    var inputs = form.querySelectorAll('[name="q_' + id + '"]');
    if (!inputs.length) { return stored[id]; }
    var first = inputs[0];
    if (first.type === "checkbox") {
      var values = [];
      inputs.forEach(function (i) { if (i.checked) { values.push(i.value); } });
      return values.length ? values : null;
    }
    if (first.type === "radio") {
      var chosen = null;
      inputs.forEach(function (i) { if (i.checked) { chosen = i.value; } });
      return chosen;
    }
    if (first.value === "") { return null; }
    return first.type === "number" ? Number(first.value) : first.value;
  }

  function visible(id) {
    var box = document.getElementById("q-" + id);
    return !box || !box.hidden;
  }

  function holds(c) {
    if (c.all) { return c.all.every(holds); }
    if (c.any) { return c.any.some(holds); }
    var value = visible(c.question) ? current(c.question) : null;
    var answered = value !== null && value !== undefined && !(Array.isArray(value) && !value.length);
    if (c.answered !== undefined && c.answered !== null) { return answered === c.answered; }
    if (!answered) { return false; }
    var chosen = Array.isArray(value) ? value : [value];
    if (c.equals !== undefined && c.equals !== null) { return chosen.indexOf(c.equals) >= 0; }
    if (c["in"]) { return chosen.some(function (v) { return c["in"].indexOf(v) >= 0; }); }
    if (c.not_in) { return !chosen.some(function (v) { return c.not_in.indexOf(v) >= 0; }); }
    if (typeof value !== "number") { return false; }
    if (c.gt !== undefined && c.gt !== null) { return value > c.gt; }
    if (c.gte !== undefined && c.gte !== null) { return value >= c.gte; }
    if (c.lt !== undefined && c.lt !== null) { return value < c.lt; }
    return c.lte !== undefined && c.lte !== null && value <= c.lte;
  }

  function refresh() {
    form.querySelectorAll("[data-show-if]").forEach(function (box) {
      box.hidden = !holds(JSON.parse(box.getAttribute("data-show-if")));
    });
  }

  var timer = null;
  function autosave() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var data = new FormData(form);
      form.querySelectorAll(".question[hidden]").forEach(function (box) {
        data.delete("q_" + box.getAttribute("data-question"));
      });
      status.textContent = text("js.saving");
      fetch(form.action, { method: "POST", body: data, headers: { "X-Autosave": "1" },
                           credentials: "same-origin" })
        .then(function (r) { return r.json().then(function (body) { return [r.ok, body]; }); })
        .then(function (result) {
          status.textContent = result[0] ? text("js.saved") : text("js.not_saved").replace(
            "{reason}", result[1].message || text("js.check_marked"));
        })
        .catch(function () { status.textContent = text("js.offline"); });
    }, 800);
  }

  form.addEventListener("change", function () { refresh(); autosave(); });
  form.addEventListener("input", function (event) {
    if (event.target.type === "number" || event.target.tagName === "TEXTAREA") { refresh(); }
  });
  refresh();
}());
