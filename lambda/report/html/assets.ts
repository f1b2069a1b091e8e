/**
 * The HTML report's inline style and script (docs/output.md "html"). Static text: the report's
 * Content-Security-Policy allows exactly these by hash, and nothing is fetched from the network.
 * Without the script the report is complete: every finding and every cluster's graph is shown;
 * the script adds filtering, sorting and the cluster selector.
 */

export const STYLE = `
:root { --works: #2e7d32; --broken: #c62828; --exposed: #e65100; --unknown: #6d6d6d; --unused: #9aa9b1;
  --critical: #8e0000; --high: #c62828; --medium: #e65100; --low: #1565c0; --info: #546e7a; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1b1b1b; background: #fafafa; }
header, main > section { max-width: 1280px; margin: 0 auto; padding: 12px 20px; }
header { border-bottom: 1px solid #ddd; background: #fff; max-width: none; }
h1 { font-size: 20px; margin: 4px 0; }
h2 { font-size: 17px; margin: 18px 0 8px; }
.muted { color: #555; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { border: 1px solid #e0e0e0; padding: 4px 6px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
#findings { table-layout: fixed; }
#findings th:nth-child(1) { width: 88px; } #findings th:nth-child(2) { width: 17%; } #findings th:last-child { width: 150px; }
th { background: #f1f1f1; position: sticky; top: 0; }
th button { font: inherit; font-weight: 600; border: 0; background: none; cursor: pointer; padding: 0; }
td.fix pre, td.fix code { white-space: pre-wrap; word-break: break-all; margin: 2px 0; font-size: 12px; }
td.fp { font-family: ui-monospace, monospace; font-size: 11px; word-break: break-all; }
.sev { display: inline-block; min-width: 64px; padding: 0 6px; border-radius: 3px; color: #fff; font-size: 12px; text-align: center; }
.sev-critical { background: var(--critical); } .sev-high { background: var(--high); }
.sev-medium { background: var(--medium); } .sev-low { background: var(--low); } .sev-info { background: var(--info); }
.counts { width: auto; } .counts td, .counts th { text-align: right; min-width: 90px; } .counts th:first-child, .counts td:first-child { text-align: left; }
.filters { display: flex; gap: 12px; flex-wrap: wrap; margin: 8px 0; align-items: center; }
.filters[hidden] { display: none; }
.legend { display: flex; gap: 14px; flex-wrap: wrap; font-size: 13px; margin: 6px 0; }
.legend span::before { content: ""; display: inline-block; width: 22px; height: 0; border-top: 3px solid; vertical-align: middle; margin-right: 4px; }
.legend .works::before { border-color: var(--works); } .legend .broken::before { border-color: var(--broken); }
.legend .exposed::before { border-color: var(--exposed); } .legend .unknown::before { border-color: var(--unknown); }
.legend .unused::before { border-color: var(--unused); border-top-style: dashed; }
.graph { background: #fff; border: 1px solid #ddd; margin: 8px 0 16px; overflow-x: auto; }
.graph h3 { font-size: 15px; margin: 0; padding: 6px 10px; border-bottom: 1px solid #eee; }
svg text { font: 12px system-ui, sans-serif; fill: #1b1b1b; }
svg text.group { font-weight: 600; }
svg .edge { fill: none; stroke-width: 2; }
svg .k-associated { stroke-dasharray: 8 3; }
svg .k-trusts { stroke-width: 1.2; stroke-dasharray: 2 3; }
svg .v-works { stroke: var(--works); } svg .v-broken { stroke: var(--broken); }
svg .v-exposed { stroke: var(--exposed); } svg .v-unknown { stroke: var(--unknown); }
svg .v-unused { stroke: var(--unused); stroke-dasharray: 5 4; }
svg .edge:hover { stroke-width: 4; }
.notes li { margin: 2px 0; }
`;

export const SCRIPT = `
(function () {
  'use strict';
  var table = document.getElementById('findings');
  var filters = document.getElementById('filters');
  if (table && filters) {
    filters.hidden = false;
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var text = document.getElementById('f-text');
    var severity = document.getElementById('f-severity');
    var check = document.getElementById('f-check');
    var shown = document.getElementById('f-shown');
    var apply = function () {
      var q = text.value.trim().toLowerCase();
      var rank = Number(severity.value);
      var id = check.value;
      var count = 0;
      rows.forEach(function (row) {
        var ok = Number(row.getAttribute('data-rank')) >= rank &&
          (id === '' || row.getAttribute('data-check') === id) &&
          (q === '' || row.textContent.toLowerCase().indexOf(q) !== -1);
        row.hidden = !ok;
        if (ok) count += 1;
      });
      shown.textContent = count + ' of ' + rows.length + ' shown';
    };
    text.addEventListener('input', apply);
    severity.addEventListener('change', apply);
    check.addEventListener('change', apply);
    apply();
    var headers = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(headers, function (th, column) {
      var button = th.querySelector('button');
      if (!button) return;
      button.addEventListener('click', function () {
        var ascending = th.getAttribute('aria-sort') !== 'ascending';
        Array.prototype.forEach.call(headers, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
        var key = function (row) {
          var cell = row.cells[column];
          var value = cell.getAttribute('data-sort');
          return value === null ? cell.textContent.trim().toLowerCase() : value;
        };
        rows.sort(function (a, b) {
          var x = key(a), y = key(b);
          var n = x.localeCompare(y, undefined, { numeric: true });
          return ascending ? n : -n;
        });
        rows.forEach(function (row) { table.tBodies[0].appendChild(row); });
      });
    });
  }
  var picker = document.getElementById('g-cluster');
  var graphs = document.querySelectorAll('.graph[data-cluster]');
  if (picker && graphs.length) {
    picker.hidden = false;
    var pick = function () {
      Array.prototype.forEach.call(graphs, function (g) {
        g.hidden = picker.value !== '' && g.getAttribute('data-cluster') !== picker.value;
      });
    };
    picker.addEventListener('change', pick);
    pick();
  }
})();
`;
