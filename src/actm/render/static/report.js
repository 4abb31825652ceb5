/* actm HTML report: the graph, threat filters and chain playback.
   Data comes from the JSON element #actm-data; text is only ever set with textContent. */
(function () {
  "use strict";

  var timings = { start: performance.now() };
  var data = JSON.parse(document.getElementById("actm-data").textContent);
  timings.parsed = performance.now();
  // elements: [id, kind, type, label, parent index, x, y, box width, box height, zone,
  //            pipeline, owner, vulnerabilities]; a box (width > 0) is drawn behind what it holds
  var EL = data.el;
  // edges: [id (null: kind:source->target), kind, source index, target index, label, inside]
  var ED = data.ed;
  var TH = data.th; // [level, steps (element/edge indices per shown step), marked indices]
  var N = EL.length;
  var LARGE = data.large;
  var LEVELS = ["info", "low", "medium", "high", "critical"];
  var COLOURS = { critical: "#b91c1c", high: "#ea580c", medium: "#ca8a04", low: "#2563eb", info: "#6b7280" };
  var root = document.documentElement;
  var items = Array.prototype.slice.call(document.querySelectorAll("#threat-list > li"));
  var visible = items.map(function () { return true; });
  var search = items.map(function (li) {
    return (li.querySelector("summary").textContent + " " + li.querySelector(".ttitle").textContent).toLowerCase();
  });

  var api = { data: data, cy: null, selected: -1, step: -1, visible: visible, timings: timings };
  window.actmReport = api;

  // threats marked on each element, for the element panel
  var threatsOn = {};
  TH.forEach(function (t, i) {
    t[2].forEach(function (e) { (threatsOn[e] = threatsOn[e] || []).push(i); });
  });

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  // -- the graph --------------------------------------------------------------------------

  // With data.collapse (a very large graph), assets start out of the graph: their places stay
  // free in the boxes, a threat on an asset rings the box that holds it, and a selected chain
  // adds what it touches. "show all" adds the rest.
  var present = new Array(N + ED.length).fill(false);

  function item(i) {
    if (i < N) {
      var e = EL[i];
      var d = { id: e[0], kind: e[1], type: e[2], label: e[3], i: i, w: e[7], h: e[8] };
      return { group: "nodes", data: d, position: { x: e[5], y: e[6] }, classes: e[7] ? "box" : "leaf" };
    }
    var g = ED[i - N];
    var source = EL[g[2]][0];
    var target = EL[g[3]][0];
    return {
      group: "edges",
      data: {
        id: g[0] === null ? g[1] + ":" + source + "->" + target : g[0],
        kind: g[1], source: source, target: target, label: g[4], i: i
      },
      classes: g[5] ? "inside" : ""
    };
  }

  // the items for indices not yet in the graph (an edge brings its ends), marked present
  function missing(indices) {
    var out = [];
    function want(i) {
      if (present[i]) return;
      if (i >= N) { want(ED[i - N][2]); want(ED[i - N][3]); }
      present[i] = true;
      out.push(item(i));
    }
    indices.forEach(want);
    // nodes before edges
    out.sort(function (x, y) { return (x.group === "edges") - (y.group === "edges"); });
    return out;
  }

  function initial() {
    var indices = [];
    for (var i = 0; i < N + ED.length; i++) {
      if (!data.collapse) { indices.push(i); continue; }
      if (i < N ? EL[i][1] !== "asset" : EL[ED[i - N][2]][1] !== "asset" && EL[ED[i - N][3]][1] !== "asset") {
        indices.push(i);
      }
    }
    return missing(indices);
  }

  function add(indices) {
    var list = missing(indices);
    if (!list.length || !cy) return;
    cy.add(list).forEach(function (ele) { byIndex[ele.data("i")] = ele; });
    var all = document.getElementById("show-all");
    if (all && present.every(Boolean)) all.hidden = true;
  }

  function style() {
    // drawn in z-index order: zones, node boxes, edges, leaves, then the selected chain
    var s = [
      { selector: "node", style: {
        "label": "data(label)", "font-size": 10, "text-valign": "bottom", "text-halign": "center",
        "text-margin-y": 3, "text-wrap": "ellipsis", "text-max-width": 150, "width": 22, "height": 22,
        "background-color": "#cbd5e1", "border-width": 1, "border-color": "#64748b", "color": "#1f2937",
        "min-zoomed-font-size": LARGE ? 9 : 0, "z-index-compare": "manual", "z-index": 3 } },
      { selector: "node.box", style: {
        "width": "data(w)", "height": "data(h)", "shape": "round-rectangle", "text-valign": "top",
        "text-margin-y": 18, "text-max-width": 1000, "font-weight": "bold", "background-opacity": 0.6,
        "z-index": 1 } },
      { selector: "node[kind = 'zone']", style: {
        "shape": "round-rectangle", "background-color": "#eef3f8", "border-color": "#94a3b8",
        "font-size": 13, "z-index": 0 } },
      { selector: "node.leaf[kind = 'zone']", style: { "width": 40, "height": 28 } },
      { selector: "node[kind = 'node']", style: { "shape": "rectangle", "background-color": "#cbd5e1" } },
      { selector: "node.box[kind = 'node']", style: { "shape": "round-rectangle", "background-color": "#e2e8f0" } },
      { selector: "node[kind = 'model']", style: { "shape": "hexagon", "background-color": "#a78bfa", "width": 28, "height": 26 } },
      { selector: "node[kind = 'asset']", style: { "shape": "ellipse", "background-color": "#60a5fa" } },
      { selector: "node[kind = 'tool']", style: { "shape": "diamond", "background-color": "#fb923c" } },
      { selector: "node[kind = 'adversary']", style: { "shape": "triangle", "background-color": "#ef4444", "width": 28, "height": 26 } },
      { selector: "node[kind = 'external']", style: { "shape": "round-tag", "background-color": "#fde68a" } },
      { selector: "edge", style: {
        "width": 1, "line-color": "#a3aab5", "curve-style": LARGE ? "haystack" : "bezier",
        "target-arrow-shape": LARGE ? "none" : "triangle", "target-arrow-color": "#a3aab5",
        "arrow-scale": 0.7, "opacity": 0.8, "z-index-compare": "manual", "z-index": 2 } },
      { selector: "edge.inside", style: { "display": "none" } },
      { selector: "edge[kind = 'resides'], edge[kind = 'deployed_on'], edge[kind = 'stored_on']",
        style: { "line-style": "dotted" } },
      { selector: "edge[kind = 'holds'], edge[kind = 'reaches']", style: { "line-color": "#f87171", "target-arrow-color": "#f87171" } },
      { selector: "node.faded", style: { "opacity": 0.2 } },
      { selector: "edge.faded", style: { "opacity": 0.08 } },
      { selector: "node.chain", style: { "opacity": 1, "border-width": 4, "border-color": "#f59e0b", "z-index": 6 } },
      { selector: "edge.chain", style: {
        "display": "element", "opacity": 1, "width": 3, "line-color": "#f59e0b", "target-arrow-color": "#f59e0b",
        "target-arrow-shape": "triangle", "curve-style": "bezier", "z-index": 5,
        "label": "data(label)", "font-size": 9, "text-background-color": "#fff", "text-background-opacity": 0.8 } },
      { selector: "node.chain-current", style: { "border-width": 6, "border-color": "#dc2626", "z-index": 7 } },
      { selector: "edge.chain-current", style: { "width": 5, "line-color": "#dc2626", "target-arrow-color": "#dc2626", "z-index": 6 } },
      { selector: "node:selected", style: { "overlay-color": "#2563eb", "overlay-opacity": 0.18 } }
    ];
    LEVELS.forEach(function (level) {
      s.splice(s.length - 7, 0, {
        selector: "node.sev-" + level,
        style: { "border-width": 4, "border-color": COLOURS[level] }
      });
    });
    return s;
  }

  var cy = null;
  var byIndex = [];
  var marked = [];

  function startGraph() {
    if (typeof window.cytoscape !== "function") return;
    var list = initial();
    timings.elements = performance.now();
    cy = window.cytoscape({
      container: document.getElementById("cy"),
      elements: list,
      style: style(),
      layout: { name: "preset", fit: false },
      minZoom: 0.02,
      maxZoom: 4,
      boxSelectionEnabled: false,
      autoungrabify: true, // a box does not carry what is drawn on it
      hideEdgesOnViewport: LARGE,
      textureOnViewport: LARGE,
      pixelRatio: LARGE ? 1 : "auto"
    });
    api.cy = cy;
    timings.created = performance.now();
    fitAll();
    cy.elements().forEach(function (ele) { byIndex[ele.data("i")] = ele; });
    cy.on("tap", "node, edge", function (evt) { showInfo(evt.target.data("i")); });
    cy.on("tap", function (evt) { if (evt.target === cy) hideInfo(); });
    cy.one("render", function () {
      timings.rendered = performance.now();
      root.setAttribute("data-graph", "ready");
    });
    updateMarks();
  }

  // fit the whole graph from the layout's extent: cy.fit() would measure every label first
  function fitAll() {
    var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    EL.forEach(function (e) {
      var w = (e[7] || 170) / 2, h = (e[8] || 60) / 2;
      x0 = Math.min(x0, e[5] - w); x1 = Math.max(x1, e[5] + w);
      y0 = Math.min(y0, e[6] - h); y1 = Math.max(y1, e[6] + h);
    });
    if (!EL.length) return;
    var width = cy.width(), height = cy.height(), pad = 20;
    var zoom = Math.min((width - 2 * pad) / (x1 - x0), (height - 2 * pad) / (y1 - y0));
    zoom = Math.max(cy.minZoom(), Math.min(zoom, 1.5));
    cy.viewport({
      zoom: zoom,
      pan: { x: (width - zoom * (x0 + x1)) / 2, y: (height - zoom * (y0 + y1)) / 2 }
    });
  }

  // the element drawn for element i: itself, else the nearest box that holds it
  function drawnAs(i) {
    var seen = 0;
    while (i >= 0 && i < N && !byIndex[i] && seen++ < 64) i = EL[i][4];
    return i >= 0 ? i : undefined;
  }

  function collection(indices) {
    var c = cy.collection();
    indices.forEach(function (i) { if (byIndex[i]) c = c.union(byIndex[i]); });
    return c;
  }

  // threatened elements: ringed in the colour of the most severe shown threat
  function updateMarks() {
    if (!cy) return;
    var worst = {};
    TH.forEach(function (t, i) {
      if (!visible[i]) return;
      var rank = LEVELS.indexOf(t[0]);
      t[2].forEach(function (m) {
        var e = drawnAs(m);
        if (e !== undefined && (worst[e] === undefined || worst[e] < rank)) worst[e] = rank;
      });
    });
    cy.batch(function () {
      marked.forEach(function (e) { byIndex[e].removeClass("sev-info sev-low sev-medium sev-high sev-critical"); });
      marked = [];
      Object.keys(worst).forEach(function (key) {
        var e = Number(key);
        if (!byIndex[e]) return;
        byIndex[e].addClass("sev-" + LEVELS[worst[key]]);
        marked.push(e);
      });
    });
  }

  // -- chains -----------------------------------------------------------------------------

  var panel = document.getElementById("chain-panel");
  var stepList = document.getElementById("chain-steps");
  var stepAt = document.getElementById("step-at");
  var timer = null;
  var chainEls = [];

  function stopPlay() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    document.getElementById("step-play").textContent = "play";
  }

  function clearChain() {
    stopPlay();
    if (cy) {
      cy.batch(function () {
        cy.elements(".faded").removeClass("faded");
        cy.elements(".chain, .chain-current").removeClass("chain chain-current");
      });
    }
    if (api.selected >= 0) items[api.selected].classList.remove("selected");
    api.selected = -1;
    api.step = -1;
    chainEls = [];
    panel.hidden = true;
  }

  // the elements (indices) a view of these chain indices frames. On a small graph: the
  // elements and the ends of the edges. On a large graph, where the ends of one edge may lie
  // far apart: the elements the step touches itself, else the targets of its edges, else
  // their sources; adversaries and outside parties (packed at the top level, far from what
  // they reach) and trust zones (huge boxes) only when nothing else is there.
  var FAR = { adversary: 1, external: 1, zone: 1 };
  function framed(indices) {
    var ends = [];
    indices.forEach(function (i) {
      if (i < N) ends.push(i); else { ends.push(ED[i - N][2]); ends.push(ED[i - N][3]); }
    });
    if (!LARGE) return ends;
    function near(list) { return list.filter(function (i) { return !FAR[EL[i][1]]; }); }
    var tiers = [
      near(indices.filter(function (i) { return i < N; })),
      near(indices.filter(function (i) { return i >= N; }).map(function (i) { return ED[i - N][3]; })),
      near(ends)
    ];
    for (var t = 0; t < tiers.length; t++) if (tiers[t].length) return tiers[t];
    return ends;
  }

  // the view (zoom, pan) that frames the chain indices given, from the layout's positions (no
  // label measuring), zoomed in no further than 1.2
  function viewOf(indices) {
    var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    framed(indices).forEach(function (i) {
      var e = EL[i];
      var w = (e[7] || 60) / 2, h = (e[8] || 50) / 2;
      x0 = Math.min(x0, e[5] - w); x1 = Math.max(x1, e[5] + w);
      y0 = Math.min(y0, e[6] - h); y1 = Math.max(y1, e[6] + h);
    });
    if (x0 === Infinity) return null;
    var width = cy.width(), height = cy.height(), pad = 60;
    var zoom = Math.min((width - 2 * pad) / (x1 - x0), (height - 2 * pad) / (y1 - y0));
    zoom = Math.max(cy.minZoom(), Math.min(zoom, 1.2));
    return { zoom: zoom, pan: { x: (width - zoom * (x0 + x1)) / 2, y: (height - zoom * (y0 + y1)) / 2 } };
  }

  // move the view onto the chain indices given; on a large graph, when they lie so far apart
  // that their labels would not show, onto the indices in ``closer`` instead (a step of it)
  var READABLE = 0.3;
  function focus(indices, closer) {
    if (!cy || !indices || !indices.length) return;
    var view = viewOf(indices);
    if (view && LARGE && closer && closer.length && view.zoom < READABLE) view = viewOf(closer) || view;
    if (view) cy.viewport(view);
  }

  function wholeChain() { return [].concat.apply([], TH[api.selected][1]); }

  // show steps 0..k of the selected chain; on a large graph, follow = move to step k
  function showStep(k, follow) {
    var steps = TH[api.selected][1];
    if (k < 0) k = 0;
    if (k > steps.length - 1) k = steps.length - 1;
    api.step = k;
    if (cy) {
      cy.batch(function () {
        chainEls.forEach(function (c) { c.removeClass("chain chain-current").addClass("faded"); });
        for (var s = 0; s <= k; s++) chainEls[s].removeClass("faded").addClass("chain");
        chainEls[k].addClass("chain-current");
      });
      if (follow && LARGE) focus(steps[k]);
    }
    Array.prototype.forEach.call(stepList.children, function (li, s) {
      li.classList.toggle("done", s <= k);
      li.classList.toggle("current", s === k);
    });
    stepAt.textContent = "step " + (k + 1) + " of " + steps.length;
    var current = stepList.children[k];
    if (current && current.scrollIntoView) current.scrollIntoView({ block: "nearest" });
  }

  function selectThreat(i) {
    clearChain();
    hideInfo();
    api.selected = i;
    var li = items[i];
    li.classList.add("selected");
    var steps = TH[i][1];
    var title = li.querySelector(".ttitle").textContent;
    document.getElementById("chain-title").textContent = li.querySelector(".sev").textContent + ": " + title;
    while (stepList.firstChild) stepList.removeChild(stepList.firstChild);
    var texts = li.querySelectorAll("ol.chain > li");
    Array.prototype.forEach.call(texts, function (src, s) {
      var item = el("li", src.textContent, src.className);
      item.addEventListener("click", function () { stopPlay(); showStep(s, true); });
      stepList.appendChild(item);
    });
    panel.hidden = false;
    if (cy) {
      if (data.collapse) {
        add([].concat.apply([], steps));
        updateMarks();
      }
      chainEls = steps.map(collection);
      var all = cy.collection();
      chainEls.forEach(function (c) { all = all.union(c); });
      // the ends of the chain's edges stay in view, unmarked
      var kept = all.union(all.edges().connectedNodes());
      cy.batch(function () {
        cy.elements().not(kept).not(".box").addClass("faded");
      });
      focus(wholeChain(), steps[steps.length - 1]);
    }
    showStep(steps.length - 1);
  }

  function play() {
    if (api.selected < 0) return;
    if (timer !== null) { stopPlay(); return; }
    var steps = TH[api.selected][1];
    showStep(0, true);
    document.getElementById("step-play").textContent = "stop";
    timer = setInterval(function () {
      if (api.step >= steps.length - 1) { stopPlay(); return; }
      showStep(api.step + 1, true);
    }, 1000);
  }

  items.forEach(function (li, i) {
    li.querySelector(".pick").addEventListener("click", function () {
      if (api.selected === i) clearChain(); else selectThreat(i);
    });
  });
  document.getElementById("step-first").addEventListener("click", function () { stopPlay(); if (api.selected >= 0) showStep(0, true); });
  document.getElementById("step-prev").addEventListener("click", function () { stopPlay(); if (api.selected >= 0) showStep(api.step - 1, true); });
  document.getElementById("step-next").addEventListener("click", function () { stopPlay(); if (api.selected >= 0) showStep(api.step + 1, true); });
  document.getElementById("step-all").addEventListener("click", function () { stopPlay(); if (api.selected >= 0) { showStep(TH[api.selected][1].length - 1); focus(wholeChain(), TH[api.selected][1][TH[api.selected][1].length - 1]); } });
  document.getElementById("step-play").addEventListener("click", play);
  document.getElementById("fit").addEventListener("click", function () { if (cy) fitAll(); });
  var showAll = document.getElementById("show-all");
  if (showAll) {
    showAll.addEventListener("click", function () {
      var everything = [];
      for (var i = 0; i < N + ED.length; i++) everything.push(i);
      add(everything);
      updateMarks();
    });
  }
  document.getElementById("clear").addEventListener("click", function () { clearChain(); hideInfo(); });

  // -- the element panel ------------------------------------------------------------------

  var info = document.getElementById("info");

  function hideInfo() { info.hidden = true; }

  function showInfo(i) {
    while (info.firstChild) info.removeChild(info.firstChild);
    var head = el("p");
    var fields;
    if (i < N) {
      var e = EL[i];
      head.appendChild(el("strong", e[3]));
      head.appendChild(document.createTextNode(" (" + e[1] + ", "));
      head.appendChild(el("bdi", e[2]));
      head.appendChild(document.createTextNode(") "));
      head.appendChild(el("code", e[0]));
      fields = [["zone", e[9]], ["pipeline", e[10]], ["owner", e[11]], ["vulnerabilities", e[12].join(", ")]];
    } else {
      var g = ED[i - N];
      head.appendChild(el("strong", g[1]));
      head.appendChild(document.createTextNode(" "));
      head.appendChild(el("code", EL[g[2]][0]));
      head.appendChild(document.createTextNode(" \u2192 "));
      head.appendChild(el("code", EL[g[3]][0]));
      fields = [["label", g[4]]];
    }
    info.appendChild(head);
    var dl = el("dl");
    fields.forEach(function (f) {
      if (!f[1]) return;
      dl.appendChild(el("dt", f[0]));
      dl.appendChild(el("dd", f[1]));
    });
    if (dl.firstChild) info.appendChild(dl);
    var on = (threatsOn[i] || []).filter(function (t) { return visible[t]; });
    if (on.length) {
      info.appendChild(el("p", on.length + (on.length === 1 ? " threat shown on it:" : " threats shown on it:")));
      var ul = el("ul");
      on.slice(0, 50).forEach(function (t) {
        var li = el("li");
        var b = el("button", items[t].querySelector(".sev").textContent + ": " + items[t].querySelector(".ttitle").textContent);
        b.type = "button";
        b.addEventListener("click", function () {
          selectThreat(t);
          items[t].scrollIntoView({ block: "nearest" });
        });
        li.appendChild(b);
        ul.appendChild(li);
      });
      info.appendChild(ul);
      if (on.length > 50) info.appendChild(el("p", "and " + (on.length - 50) + " more"));
    }
    info.hidden = false;
  }

  // -- filters ----------------------------------------------------------------------------

  var form = document.getElementById("filters");
  var shown = document.getElementById("shown");

  function has(list, word) { return (" " + list + " ").indexOf(" " + word + " ") >= 0; }

  function applyFilters() {
    var levels = {};
    Array.prototype.forEach.call(form.querySelectorAll("input[name=level]"), function (b) { levels[b.value] = b.checked; });
    var fw = form.elements.framework.value;
    var team = form.elements.team.value;
    var pipeline = form.elements.pipeline.value;
    var q = form.elements.q.value.trim().toLowerCase();
    var count = 0;
    items.forEach(function (li, i) {
      var d = li.dataset;
      var ok = levels[d.level] &&
        (!fw || has(d.fw, fw)) &&
        (!team || has(d.teams, team)) &&
        (!pipeline || has(d.pipelines, pipeline)) &&
        (!q || search[i].indexOf(q) >= 0);
      visible[i] = !!ok;
      li.hidden = !ok;
      if (ok) count++;
    });
    shown.textContent = count === items.length
      ? items.length + (items.length === 1 ? " threat" : " threats")
      : count + " of " + items.length + " threats shown";
    if (api.selected >= 0 && !visible[api.selected]) clearChain();
    updateMarks();
  }

  form.addEventListener("input", applyFilters);
  form.addEventListener("change", applyFilters);
  form.addEventListener("submit", function (evt) { evt.preventDefault(); });

  api.selectThreat = selectThreat;
  api.showStep = showStep;
  api.clearChain = clearChain;
  api.applyFilters = applyFilters;

  startGraph();
  applyFilters();
})();
