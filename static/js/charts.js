/*
 * Draws every chart of the cockpit. No inline JS: a chart is
 *
 *   <div class="cockpit-chart" data-chart="ID" [data-geojson="URL"]></div>
 *   {{ figur|json_script:"ID" }}
 *
 * where the JSON is a Plotly figure ({data, layout, config?}) built in Python by
 * dashboard/figuren (the same definitions the PDF report uses). With data-geojson the
 * boundaries are fetched once per URL (the browser caches them) and put into every trace
 * whose "geojson" is the placeholder "__geometrie__": the figure itself stays small.
 *
 * Clicking a point or area whose customdata starts with a URL ("/…") opens that page.
 * Charts are drawn on htmx:load, so fragments swapped in by htmx are drawn as well, and
 * purged before htmx removes them.
 */
(function () {
  "use strict";

  var geometrien = {};

  function geometrie(url) {
    if (!geometrien[url]) {
      geometrien[url] = fetch(url, { credentials: "same-origin" }).then(function (antwort) {
        if (!antwort.ok) {
          throw new Error("Grenzen nicht ladbar (" + antwort.status + ")");
        }
        return antwort.json();
      });
    }
    return geometrien[url];
  }

  function topojsonUrl() {
    var meta = document.querySelector('meta[name="plotly-topojson"]');
    return meta ? meta.content : undefined;
  }

  function fehler(el, text) {
    el.dataset.gezeichnet = "fehler";
    var p = document.createElement("p");
    p.className = "kern-body cockpit-chart__fehler";
    p.textContent = "Die Grafik konnte nicht gezeichnet werden: " + text +
      " Die Zahlen stehen in der Tabelle zur Grafik.";
    el.replaceChildren(p);
  }

  function zeichnen(el) {
    if (el.dataset.gezeichnet === "1" || el.dataset.zeichnet === "1") {
      return;
    }
    var quelle = document.getElementById(el.dataset.chart);
    if (!quelle || !window.Plotly) {
      fehler(el, "Daten oder Plotly fehlen.");
      return;
    }
    el.dataset.zeichnet = "1";
    var figur = JSON.parse(quelle.textContent);
    var config = Object.assign(
      {
        responsive: true,
        locale: "de",
        displaylogo: false,
        modeBarButtonsToRemove: ["select2d", "lasso2d", "toImage"],
        topojsonURL: topojsonUrl()
      },
      figur.config || {}
    );
    var bereit = Promise.resolve();
    if (el.dataset.geojson) {
      bereit = geometrie(el.dataset.geojson).then(function (geo) {
        (figur.data || []).forEach(function (spur) {
          if (spur.geojson === "__geometrie__") {
            spur.geojson = geo;
          }
        });
      });
    }
    bereit
      .then(function () {
        return window.Plotly.react(el, figur.data || [], figur.layout || {}, config);
      })
      .then(function () {
        delete el.dataset.zeichnet;
        el.dataset.gezeichnet = "1";
        el.on("plotly_click", function (ereignis) {
          var punkt = ereignis && ereignis.points && ereignis.points[0];
          var daten = punkt && punkt.customdata;
          var ziel = Array.isArray(daten) ? daten[0] : daten;
          if (typeof ziel === "string" && ziel.charAt(0) === "/") {
            window.location.assign(ziel);
          }
        });
        el.dispatchEvent(new CustomEvent("cockpit:chart-gezeichnet", { bubbles: true }));
      })
      .catch(function (grund) {
        delete el.dataset.zeichnet;
        fehler(el, grund && grund.message ? grund.message : String(grund));
      });
  }

  function alleZeichnen(wurzel) {
    if (wurzel.matches && wurzel.matches("[data-chart]")) {
      zeichnen(wurzel);
    }
    if (wurzel.querySelectorAll) {
      wurzel.querySelectorAll("[data-chart]").forEach(zeichnen);
    }
  }

  document.addEventListener("htmx:load", function (ereignis) {
    alleZeichnen(ereignis.target);
  });
  document.addEventListener("DOMContentLoaded", function () {
    alleZeichnen(document);
  });
  document.addEventListener("htmx:beforeCleanupElement", function (ereignis) {
    var el = ereignis.target;
    if (el.matches && el.matches("[data-chart]") && window.Plotly) {
      window.Plotly.purge(el);
    }
  });
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.gezeichnet === "1" && window.Plotly) {
        window.Plotly.Plots.resize(el);
      }
    });
  });
})();
