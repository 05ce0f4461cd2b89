// Renders the Vega-Lite specifications embedded in a page as
// <script type="application/json" class="vega-spec" data-target="ID">…</script>
// into the element with that id (or the script's parent). Vega's expression interpreter is used
// (no eval), so the strict CSP (script-src 'self') holds. Without JavaScript the page shows the
// table view and the server-rendered image links instead.
(function () {
  "use strict";

  // French number and date formats for the axes and tooltips (d3's fr-FR definitions).
  var FRENCH = {
    formatLocale: { decimal: ",", thousands: "\u00a0", grouping: [3], currency: ["", "\u00a0€"], percent: "\u202f%" },
    timeFormatLocale: {
      dateTime: "%A %e %B %Y à %X",
      date: "%d/%m/%Y",
      time: "%H:%M:%S",
      periods: ["AM", "PM"],
      days: ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
      shortDays: ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
      months: ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"],
      shortMonths: ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."],
    },
  };

  function options() {
    var opts = {
      ast: true,
      expr: window.vegaInterpreter.expressionInterpreter,
      // the page offers its own downloads (CSV, XLSX, PNG, SVG drawn on the server, in the reader's language)
      actions: false,
      defaultStyle: false,
      renderer: "svg",
    };
    if ((document.documentElement.lang || "").toLowerCase().indexOf("fr") === 0) {
      opts.formatLocale = FRENCH.formatLocale;
      opts.timeFormatLocale = FRENCH.timeFormatLocale;
    }
    return opts;
  }

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
        .vegaEmbed(target, spec, options())
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
