// On every admin page: the folding menu, focus where the official must look, confirmations, live broadcast counts.
(function () {
  // The menu folds behind its button on narrow screens (CSS); without this script it simply stays open.
  var header = document.querySelector("header.top"), toggle = document.getElementById("menu-toggle");
  if (header && toggle) {
    var menu = document.getElementById(toggle.getAttribute("aria-controls"));
    header.classList.add("js-menu");
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      menu.classList.toggle("open", open);
    });
  }

  // After a 422 the error summary, after "preview" the preview's heading: focused, so it is in view and read out.
  var first = document.querySelector("[data-autofocus]");
  if (first) first.focus();
  // A summary's link moves focus into its field (a plain #fragment link would only scroll there).
  document.querySelectorAll(".error-summary a[href^='#']").forEach(function (link) {
    link.addEventListener("click", function (e) {
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (!field) return;
      e.preventDefault();
      field.focus();
      (field.closest(".field, fieldset") || field).scrollIntoView({block: "start"});
    });
  });

  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) { if (!confirm(f.dataset.confirm)) e.preventDefault(); });
  });

  // Live broadcast counts: refresh every [data-ref] from /admin/progress.json every few seconds.
  var boxes = document.querySelectorAll("[data-ref]");
  if (!boxes.length) return;
  var refs = Array.prototype.map.call(boxes, function (b) { return b.dataset.ref; }).join(",");
  function refresh() {
    fetch("/admin/progress.json?refs=" + encodeURIComponent(refs), {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        boxes.forEach(function (box) {
          var p = data[box.dataset.ref]; if (!p) return;
          box.querySelectorAll("[data-count]").forEach(function (el) { el.textContent = p[el.dataset.count]; });
          box.querySelectorAll("[data-bar]").forEach(function (el) {
            el.style.width = (p.total ? 100 * p[el.dataset.bar] / p.total : 0) + "%";
          });
        });
      }).catch(function () {});
  }
  setInterval(refresh, 2000);
})();
