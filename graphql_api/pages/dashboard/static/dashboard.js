// The dashboard pages' one script: the viewer's time zone, the trend chart (uPlot, vendored)
// and the live figures (graphql-ws, GraphiQL's vendored client, on /dashboard/live, where the
// session cookie signs the socket in). The page is complete without it: every chart has its
// table, and the figures are those of the page load.
(function () {
  "use strict";
  var dataElement = document.getElementById("dashboard-data");
  if (!dataElement) { return; }
  var data = JSON.parse(dataElement.textContent);

  // Trends are in the viewer's zone: a first visit without one asks again in the browser's.
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!data.timeZoneGiven && zone && zone !== "UTC") {
    var url = new URL(window.location.href);
    url.searchParams.set("tz", zone);
    window.location.replace(url.toString());
    return;
  }

  // Okabe-Ito colours: told apart with every common colour-vision deficiency.
  var BLUE = "#0072B2";
  // Drill-down: a click on a period of the chart shows that period alone (since/to in the URL,
  // as the form would put them); the table's rows are the keyboard's way to the same figures.
  function day(text, days) {
    var at = new Date(text + "T00:00:00Z");
    at.setUTCDate(at.getUTCDate() + days);
    return at.toISOString().slice(0, 10);
  }
  function drill(seconds) {
    var zoneName = data.timeZone || "UTC";
    var start = new Intl.DateTimeFormat("en-CA", { timeZone: zoneName }).format(new Date(seconds * 1000));
    var last = start;
    if (data.interval === "WEEK") { last = day(start, 6); }
    if (data.interval === "MONTH") {
      var next = new Date(start + "T00:00:00Z");
      next.setUTCMonth(next.getUTCMonth() + 1);
      last = day(next.toISOString().slice(0, 10), -1);
    }
    var url = new URL(window.location.href);
    url.searchParams.set("since", start);
    url.searchParams.set("to", last);
    url.searchParams.delete("format");
    window.location.assign(url.toString());
  }

  var chartElement = document.getElementById("trend-chart");
  if (chartElement && window.uPlot && data.trend && data.trend.x.length > 0) {
    var width = Math.max(280, Math.min(chartElement.clientWidth || 720, 960));
    new window.uPlot({
      hooks: {
        ready: [function (u) {
          u.over.addEventListener("click", function () {
            var index = u.cursor.idx;
            if (index !== null && index !== undefined) { drill(data.trend.x[index]); }
          });
        }]
      },
      width: width,
      height: 260,
      series: [
        {},
        { label: data.trend.label, stroke: BLUE, width: 3, points: { size: 7, fill: BLUE } }
      ],
      scales: {
        // One period alone would otherwise stretch the axis over years: give it a margin.
        x: data.trend.x.length === 1
          ? { time: true, auto: false, range: [data.trend.x[0] - 1296000, data.trend.x[0] + 1296000] }
          : { time: true },
        y: { range: data.trend.range }
      },
      axes: [{}, { label: data.trend.label }]
    }, [data.trend.x, data.trend.y], chartElement);
  }

  var status = document.getElementById("live-status");
  function show(id, text, value) {
    var element = document.getElementById(id);
    if (!element) { return; }
    element.textContent = text;
    if (value !== undefined) { element.setAttribute("data-value", value === null ? "" : String(value)); }
  }
  function fixed(value, signed) {
    if (value === null || value === undefined) { return "\u2013"; }
    var text = value.toFixed(1);
    return signed && value >= 0 ? "+" + text : text;
  }
  function update(figures) {
    var nps = figures.nps;
    show("nps-score", fixed(nps.nps, true), nps.nps);
    show("nps-moe", fixed(nps.marginOfError, false), nps.marginOfError);
    show("promoters", String(nps.promoters));
    show("passives", String(nps.passives));
    show("detractors", String(nps.detractors));
    show("nps-responses", String(nps.responses));
    show("responses", String(figures.responses));
    show("invitations", String(figures.invitations));
    show("response-rate", figures.responseRate === null ? "\u2013" : fixed(figures.responseRate, false) + "%", figures.responseRate);
    if (status) { status.textContent = "Updated live at " + new Date().toLocaleTimeString() + "."; }
  }

  if (!data.live || !window.graphqlWs || !document.getElementById("nps-score")) { return; }
  var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  var client = window.graphqlWs.createClient({
    url: scheme + "//" + window.location.host + "/dashboard/live",
    lazy: false,
    retryAttempts: 5
  });
  client.subscribe({
    query: "subscription Live($filter: SurveyDashboardFilter) { surveyDashboardUpdated(filter: $filter) { " +
      "invitations responses responseRate suppressed " +
      "nps { responses promoters passives detractors nps marginOfError } } }",
    variables: { filter: data.filter }
  }, {
    next: function (result) {
      if (result.data && result.data.surveyDashboardUpdated) {
        update(result.data.surveyDashboardUpdated);
        document.body.setAttribute("data-live", "live");
      }
    },
    error: function () {
      document.body.setAttribute("data-live", "stopped");
      if (status) { status.textContent = "Live updates stopped; reload for the latest figures."; } },
    complete: function () {}
  });
  document.body.setAttribute("data-live", "connecting");
})();
