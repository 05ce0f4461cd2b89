// Renders the Vega-Lite specifications embedded in a page as
// <script type="application/json" class="vega-spec" data-target="ID">…</script>
// into the element with that id (or the script's parent). Vega's expression interpreter is used
// (no eval), so the strict CSP (script-src 'self') holds. Without JavaScript the page shows the
// table view and the server-rendered image links instead.
(function () {
  "use strict";

  function render(root) {
    if (typeof window.vegaEmbed !== "function" || !window.vegaInterpreter) {
      return;
    }
    root.querySelectorAll('script[type="application/json"].vega-spec').forEach(function (script) {
      if (script.dataset.rendered) {
        return;
      }
      script.dataset.rendered = "1";
      var spec;
      try {
        spec = JSON.parse(script.textContent);
      } catch (e) {
        return;
      }
      var targetId = script.getAttribute("data-target");
      var target = targetId ? document.getElementById(targetId) : null;
      if (!target) {
        target = document.createElement("div");
        script.parentNode.insertBefore(target, script);
      }
      target.classList.add("chart-canvas");
      window
        .vegaEmbed(target, spec, {
          ast: true,
          expr: window.vegaInterpreter.expressionInterpreter,
          actions: { export: true, source: false, compiled: false, editor: false },
          defaultStyle: false,
          renderer: "svg",
        })
        .then(function () {
          target.classList.add("chart-rendered");
        })
        .catch(function (error) {
          target.classList.add("chart-failed");
          if (window.console) {
            window.console.warn("chart", error);
          }
        });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    render(document);
  });
  // htmx swaps (filters) bring new specifications.
  document.addEventListener("htmx:afterSettle", function () {
    render(document);
  });
})();
