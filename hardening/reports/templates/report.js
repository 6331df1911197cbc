(function () {
  "use strict";
  // Data comes from the JSON block; every string reaches the page through textContent.
  var D = JSON.parse(document.getElementById("run-data").textContent);
  var S = D.strings, ST = D.statuses, H = D.hosts, C = D.controls, R = D.results;
  var LIMIT = 500;
  var openKey = null;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = vis(text); }
    return e;
  }
  // control characters from nodes are shown as visible \xNN escapes, never raw
  function vis(v) {
    return String(v).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g,
      function (ch) { return "\\x" + ("0" + ch.charCodeAt(0).toString(16)).slice(-2); });
  }
  function uniq(list) {
    var seen = {}, out = [];
    list.forEach(function (v) { if (v && !seen[v]) { seen[v] = 1; out.push(v); } });
    return out;
  }
  function fill(id, values) {
    var sel = document.getElementById(id);
    values.forEach(function (v) { var o = el("option", "", v); o.value = v; sel.appendChild(o); });
  }
  fill("f-host", H.map(function (h) { return h[0]; }));
  fill("f-role", uniq([].concat.apply([], H.map(function (h) { return h[2]; }))).sort());
  fill("f-section", uniq(C.map(function (c) { return c[2]; })));
  fill("f-severity", D.severities);

  // lower-cased haystack per result, built once for the text search
  var hay = R.map(function (r) {
    var h = H[r[0]], c = C[r[1]];
    return [h[0], h[1], c[0], c[1], c[2], ST[r[2]], S[r[3]], S[r[4]], S[r[5]], S[r[6]],
            S[r[7]], S[r[8]], c[6]].join("\u0001").toLowerCase();
  });

  function state() {
    var on = {};
    document.querySelectorAll("input[name=status]").forEach(function (b) {
      if (b.checked) { on[ST.indexOf(b.value)] = true; }
    });
    return {
      status: on,
      host: document.getElementById("f-host").value,
      role: document.getElementById("f-role").value,
      section: document.getElementById("f-section").value,
      severity: document.getElementById("f-severity").value,
      text: document.getElementById("f-text").value.trim().toLowerCase()
    };
  }
  function hostOk(f, h) {
    return (!f.host || h[0] === f.host) && (!f.role || h[2].indexOf(f.role) >= 0);
  }
  function controlOk(f, c) {
    return (!f.section || c[2] === f.section) && (!f.severity || c[4] === f.severity);
  }
  function matches(f, i) {
    var r = R[i];
    return f.status[r[2]] === true && hostOk(f, H[r[0]]) && controlOk(f, C[r[1]]) &&
      (!f.text || hay[i].indexOf(f.text) >= 0);
  }

  function detail(r) {
    var c = C[r[1]], h = H[r[0]];
    var tr = el("tr", "detail"), td = el("td"), dl = el("dl");
    td.colSpan = 6;
    [["control", c[0] + " " + c[1]], ["host", h[0] + (h[1] ? " (" + h[1] + ")" : "")],
     ["status", ST[r[2]]], ["expected", S[r[5]]], ["observed", S[r[3]]],
     ["evidence source", S[r[4]]], ["details", S[r[7]]], ["reason", S[r[6]]],
     ["waiver", S[r[8]]], ["remediation", c[5]], ["playbook tag", c[6]],
     ["level / severity", "L" + c[3] + " / " + c[4]]
    ].forEach(function (kv) {
      if (kv[1] === "" || kv[1] === null) { return; }
      dl.appendChild(el("dt", "", kv[0]));
      dl.appendChild(el("dd", "", kv[1]));
    });
    td.appendChild(dl);
    tr.appendChild(td);
    return tr;
  }

  function row(i) {
    var r = R[i], c = C[r[1]], h = H[r[0]];
    var tr = el("tr", "row");
    tr.dataset.key = String(i);
    var st = el("td"); st.appendChild(el("span", "st s-" + ST[r[2]], ST[r[2]]));
    tr.appendChild(st);
    tr.appendChild(el("td", "sev sev-" + c[4], c[4]));
    tr.appendChild(el("td", "nowrap", h[0]));
    var ctl = el("td"); ctl.appendChild(el("span", "cid", c[0])); ctl.appendChild(el("span", "", c[1]));
    tr.appendChild(ctl);
    tr.appendChild(el("td", "", c[2]));
    var obs = el("td", "obs", S[r[3]] || S[r[6]]);
    obs.title = vis(S[r[3]] || S[r[6]]);
    tr.appendChild(obs);
    return tr;
  }

  function renderResults(f) {
    var body = document.querySelector("#results tbody");
    var frag = document.createDocumentFragment(), shown = 0, total = 0;
    for (var i = 0; i < R.length; i++) {
      if (!matches(f, i)) { continue; }
      total++;
      if (shown >= LIMIT) { continue; }
      shown++;
      frag.appendChild(row(i));
      if (openKey === i) { frag.lastChild.classList.add("open"); frag.appendChild(detail(R[i])); }
    }
    body.replaceChildren(frag);
    document.getElementById("result-count").textContent =
      "(" + total + " of " + R.length + " match)";
    document.getElementById("more").textContent = total > shown ?
      "Showing the first " + shown + " (worst first); narrow the filters to see the rest." : "";
  }

  var cellIndex = {};
  R.forEach(function (r, i) { cellIndex[r[0] + ":" + r[1]] = i; });

  // The matrix shows at most MATRIX_LIMIT hosts (a 1,000-host fleet is 50,000 cells, which
  // froze the page for seconds on every filter); a filter that keeps the same hosts and
  // controls only recolours the cells already drawn.
  var MATRIX_LIMIT = 200, matrixKey = null, matrixCells = [];
  function cellClass(f, i) {
    return matches(f, i) ? "cell c" + R[i][2] : "cell dim c" + R[i][2];
  }
  function renderMatrix(f) {
    var table = document.getElementById("matrix");
    var hosts = [], ctls = [], matched = 0;
    H.forEach(function (h, i) {
      if (hostOk(f, h)) { matched++; if (hosts.length < MATRIX_LIMIT) { hosts.push(i); } }
    });
    C.forEach(function (c, i) { if (controlOk(f, c)) { ctls.push(i); } });
    var note = "(" + hosts.length + " host(s) \u00d7 " + ctls.length + " control(s)" +
      (matched > hosts.length ? "; the first " + hosts.length + " of " + matched +
       " hosts: choose a host or role to see the others" : "") + ")";
    document.getElementById("matrix-note").textContent = note;
    var key = hosts.join(",") + "|" + ctls.join(",");
    if (key === matrixKey) {
      matrixCells.forEach(function (p) { p[0].className = cellClass(f, p[1]); });
      return;
    }
    matrixKey = key;
    matrixCells = [];
    var head = el("thead"), hr = el("tr");
    hr.appendChild(el("th", "", ""));
    ctls.forEach(function (ci) {
      var th = el("th", "", C[ci][0]); th.title = C[ci][0] + " " + C[ci][1]; hr.appendChild(th);
    });
    head.appendChild(hr);
    var body = el("tbody");
    hosts.forEach(function (hi) {
      var tr = el("tr");
      tr.appendChild(el("th", "", H[hi][0]));
      ctls.forEach(function (ci) {
        var td = el("td"), i = cellIndex[hi + ":" + ci];
        if (i !== undefined) {
          var cell = document.createElement("span");
          cell.className = cellClass(f, i);
          cell.dataset.key = String(i);
          matrixCells.push([cell, i]);
          td.appendChild(cell);
        }
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    table.replaceChildren(head, body);
  }

  function apply() {
    var f = state();
    renderResults(f);
    renderMatrix(f);
  }

  document.getElementById("results").addEventListener("click", function (ev) {
    var tr = ev.target.closest("tr.row");
    if (!tr) { return; }
    var key = Number(tr.dataset.key);
    openKey = openKey === key ? null : key;
    renderResults(state());
  });
  // the tooltip is set on hover: 30 000 title attributes would slow the first paint
  document.getElementById("matrix").addEventListener("mouseover", function (ev) {
    var cell = ev.target.closest(".cell");
    if (!cell || cell.title) { return; }
    var r = R[Number(cell.dataset.key)];
    cell.title = vis(H[r[0]][0] + " \u00b7 " + C[r[1]][0] + " " + C[r[1]][1] + ": " + ST[r[2]]);
  });
  document.getElementById("matrix").addEventListener("click", function (ev) {
    var cell = ev.target.closest(".cell");
    if (!cell) { return; }
    var i = Number(cell.dataset.key), r = R[i];
    document.getElementById("f-host").value = H[r[0]][0];
    document.getElementById("f-text").value = C[r[1]][0];
    openKey = i;
    apply();
    document.getElementById("results").scrollIntoView();
  });
  document.querySelectorAll("#filters select, #filters input").forEach(function (e) {
    e.addEventListener(e.type === "search" ? "input" : "change", apply);
  });
  document.getElementById("f-reset").addEventListener("click", function () {
    document.querySelectorAll("input[name=status]").forEach(function (b) { b.checked = true; });
    document.querySelectorAll("#filters select").forEach(function (s) { s.value = ""; });
    document.getElementById("f-text").value = "";
    openKey = null;
    apply();
  });
  apply();
}());
