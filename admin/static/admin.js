// Live broadcast counts: refresh every [data-ref] from /admin/progress.json every few seconds.
(function () {
  var boxes = document.querySelectorAll("[data-ref]");
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) { if (!confirm(f.dataset.confirm)) e.preventDefault(); });
  });
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
