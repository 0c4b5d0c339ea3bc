"""The style and the script of the backprop player, the few lines of CSS and JavaScript it runs in the browser.

The page holds one SVG of the whole graph (every gradient written in) and the
frames as JSON data. Showing a frame changes emphasis only: the script adds the
classes ``tg-current`` (the node whose gradient this step completes),
``tg-consumer`` (the ops that used it, whose gradients come back) and
``tg-path`` (the edges they come back along) to the SVG's groups, found by their
``<title>`` (Graphviz writes a node's or an edge's DOT name there), and writes
``grad ?`` (or ``share ?`` on an edge) over every gradient backprop has not reached yet. The layout never
changes, because it is computed once. Zoom and pan change the SVG's ``viewBox``.
"""

PLAYER_STYLE = """
.tracegrad-player { font-family: Helvetica, Arial, sans-serif; outline: none; }
.tracegrad-player .controls { display: flex; flex-wrap: wrap; gap: 0.5em; align-items: center; margin: 0.3em 0; }
.tracegrad-player .controls input[type=range] { flex: 1; min-width: 8em; max-width: 30em; }
.tracegrad-player .equation { font-size: 1.05em; margin: 0.4em 0; min-height: 2.6em; }
.tracegrad-player .viewport { position: relative; overflow: hidden; border: 1px solid #ccc; cursor: grab;
  height: 24em; touch-action: none; user-select: none; -webkit-user-select: none; }
.tracegrad-player .viewport.dragging { cursor: grabbing; }
.tracegrad-player .viewport svg { display: block; width: 100%; height: 100%; }
.tracegrad-player g.tg-current > path, .tracegrad-player g.tg-current > polygon,
.tracegrad-player g.tg-current > ellipse { fill: FOCUS_FILL; stroke: FOCUS_COLOR; stroke-width: 3px; }
.tracegrad-player g.tg-consumer > path, .tracegrad-player g.tg-consumer > polygon,
.tracegrad-player g.tg-consumer > ellipse { stroke: FOCUS_COLOR; stroke-width: 2.5px; }
.tracegrad-player g.tg-path > path { stroke: FOCUS_COLOR; stroke-width: 2.5px; }
.tracegrad-player g.tg-path > polygon { stroke: FOCUS_COLOR; fill: FOCUS_COLOR; }
.tracegrad-player g.tg-path > text { fill: FOCUS_COLOR; }
"""

PLAYER_SCRIPT = """
(function () {
  var player = document.getElementById(PLAYER_ID);
  var data = JSON.parse(player.querySelector("script.frames").textContent);
  var frames = data.frames;
  var viewport = player.querySelector(".viewport");
  var svg = viewport.querySelector("svg");
  var graph = svg.querySelector("g.graph");
  var slider = player.querySelector("input[type=range]");
  var counter = player.querySelector(".counter");
  var equation = player.querySelector(".equation");
  var follow = player.querySelector("input.follow");
  var zoomShown = player.querySelector(".zoom-level");

  // The SVG's node and edge groups by their DOT name ("v3", "op3", "v2->op3"); an edge drawn twice has two.
  var parts = {};
  svg.querySelectorAll("g.node, g.edge").forEach(function (group) {
    var title = group.querySelector("title");
    if (title) { (parts[title.textContent] = parts[title.textContent] || []).push(group); }
  });
  function groups(names) {
    var found = [];
    names.forEach(function (name) { found = found.concat(parts[name] || []); });
    return found;
  }

  // Every gradient in the picture (the text in the gradient colour: a node's grad, an edge's share)
  // and the frame that computes it.
  var gradients = [];
  Object.keys(data.reveal).forEach(function (name) {
    groups([name]).forEach(function (group) {
      group.querySelectorAll("text").forEach(function (text) {
        if (text.getAttribute("fill") === data.gradColor) {
          gradients.push({text: text, full: text.textContent, at: data.reveal[name],
                          x: text.getAttribute("x"), anchor: text.getAttribute("text-anchor")});
        }
      });
    });
  });
  function writeGradient(gradient, computed) {
    var text = gradient.text;
    if (computed) {
      text.textContent = gradient.full;
      text.setAttribute("x", gradient.x);
      text.setAttribute("text-anchor", gradient.anchor);
      return;
    }
    if (gradient.middle === undefined) {  // centre the shorter "grad ?" or "share ?" where the full text was
      var box = null;
      try { box = text.getBBox(); } catch (error) { box = null; }
      gradient.middle = box && box.width ? box.x + box.width / 2 : null;
    }
    text.textContent = gradient.full.split(" ")[0] + " " + data.pending;  // "grad ?" or "share ?"
    if (gradient.middle !== null) {
      text.setAttribute("x", gradient.middle);
      text.setAttribute("text-anchor", "middle");
    }
  }

  // Zoom and pan: the part of the picture shown is the SVG's viewBox, a centre and a scale in pixels per unit.
  var whole = svg.viewBox.baseVal;
  whole = {x: whole.x, y: whole.y, width: whole.width, height: whole.height};
  var natural = parseFloat(svg.getAttribute("width")) * 4 / 3 / whole.width;  // Graphviz sizes are in points
  svg.removeAttribute("width");
  svg.removeAttribute("height");
  // A graph that can be read whole (at 60% of its size or more) starts whole; a larger one starts at 80%,
  // following the highlighted node. The viewport is as tall as that needs, within 70% of the window.
  var readable = natural * 0.6;
  var widthScale = Math.min(natural, viewport.clientWidth / whole.width);
  var startScale = widthScale >= readable ? widthScale : natural * 0.8;
  viewport.style.height = Math.max(160, Math.min(whole.height * startScale + 2, window.innerHeight * 0.7)) + "px";
  var view = {x: whole.x + whole.width / 2, y: whole.y + whole.height / 2, scale: natural};
  function fitScale() {
    return Math.min(viewport.clientWidth / whole.width, viewport.clientHeight / whole.height);
  }
  function showView() {
    var width = viewport.clientWidth / view.scale, height = viewport.clientHeight / view.scale;
    svg.setAttribute("viewBox", [view.x - width / 2, view.y - height / 2, width, height].join(" "));
    zoomShown.textContent = Math.round(100 * view.scale / natural) + "%";
  }
  function zoom(factor, atX, atY) {  // atX, atY: the pixel in the viewport that stays put
    var scale = Math.max(Math.min(fitScale(), natural) / 2, Math.min(natural * 8, view.scale * factor));
    if (atX === undefined) { atX = viewport.clientWidth / 2; atY = viewport.clientHeight / 2; }
    var dx = atX - viewport.clientWidth / 2, dy = atY - viewport.clientHeight / 2;
    view.x += dx / view.scale - dx / scale;
    view.y += dy / view.scale - dy / scale;
    view.scale = scale;
    showView();
  }
  function fit() {
    view = {x: whole.x + whole.width / 2, y: whole.y + whole.height / 2, scale: Math.min(fitScale(), natural)};
    showView();
  }
  function centre(box) {  // the group's box, in the picture's units
    var matrix = graph.transform.baseVal.consolidate();
    var point = svg.createSVGPoint();
    point.x = box.x + box.width / 2;
    point.y = box.y + box.height / 2;
    return matrix ? point.matrixTransform(matrix.matrix) : point;
  }
  function keepInView(group) {
    var box;
    try { box = group.getBBox(); } catch (error) { return; }
    var middle = centre(box);  // the view moves only when part of the box is outside it
    var halfWidth = viewport.clientWidth / view.scale / 2, halfHeight = viewport.clientHeight / view.scale / 2;
    var roomX = halfWidth - box.width / 2, roomY = halfHeight - box.height / 2;
    if (Math.abs(middle.x - view.x) > roomX || Math.abs(middle.y - view.y) > roomY) {
      view.x = middle.x;
      view.y = middle.y;
      showView();
    }
  }

  var marked = [];
  function mark(names, className) {
    groups(names).forEach(function (group) { group.classList.add(className); marked.push([group, className]); });
  }
  function show(index) {
    index = Math.max(0, Math.min(frames.length - 1, index));
    var frame = frames[index];
    marked.forEach(function (pair) { pair[0].classList.remove(pair[1]); });
    marked = [];
    mark(frame.consumers, "tg-consumer");
    mark(frame.edges, "tg-path");
    mark([frame.node], "tg-current");
    gradients.forEach(function (gradient) { writeGradient(gradient, gradient.at <= index); });
    equation.textContent = frame.text;
    slider.value = index;
    counter.textContent = "step " + (index + 1) + " of " + frames.length;
    if (follow.checked) { groups([frame.node]).forEach(keepInView); }
  }
  function current() { return parseInt(slider.value, 10); }

  player.querySelector(".previous").addEventListener("click", function () { show(current() - 1); });
  player.querySelector(".next").addEventListener("click", function () { show(current() + 1); });
  player.querySelector(".zoom-in").addEventListener("click", function () { zoom(1.25); });
  player.querySelector(".zoom-out").addEventListener("click", function () { zoom(0.8); });
  player.querySelector(".zoom-fit").addEventListener("click", fit);
  follow.addEventListener("change", function () { show(current()); });
  slider.addEventListener("input", function () { show(current()); });
  player.addEventListener("keydown", function (event) {
    var steps = {ArrowRight: 1, ArrowDown: 1, " ": 1, ArrowLeft: -1, ArrowUp: -1};
    if (event.target.tagName === "INPUT" && event.target.type !== "range" && event.key === " ") { return; }
    if (event.key in steps) { show(current() + (event.shiftKey && event.key === " " ? -1 : steps[event.key])); }
    else if (event.key === "Home") { show(0); }
    else if (event.key === "End") { show(frames.length - 1); }
    else if (event.key === "+" || event.key === "=") { zoom(1.25); }
    else if (event.key === "-") { zoom(0.8); }
    else if (event.key === "0") { fit(); }
    else if (event.key === "f") { follow.checked = !follow.checked; show(current()); }
    else { return; }
    event.preventDefault();
  });
  viewport.addEventListener("wheel", function (event) {
    var where = viewport.getBoundingClientRect();
    zoom(Math.exp(-event.deltaY * 0.002), event.clientX - where.left, event.clientY - where.top);
    event.preventDefault();
  }, {passive: false});
  var drag = null;
  viewport.addEventListener("pointerdown", function (event) {
    if (event.button !== 0) { return; }
    drag = {x: event.clientX, y: event.clientY};
    viewport.setPointerCapture(event.pointerId);
    viewport.classList.add("dragging");
  });
  viewport.addEventListener("pointermove", function (event) {
    if (!drag) { return; }
    view.x -= (event.clientX - drag.x) / view.scale;
    view.y -= (event.clientY - drag.y) / view.scale;
    drag = {x: event.clientX, y: event.clientY};
    showView();
  });
  function endDrag() { drag = null; viewport.classList.remove("dragging"); }
  viewport.addEventListener("pointerup", endDrag);
  viewport.addEventListener("pointercancel", endDrag);
  window.addEventListener("resize", showView);

  var start = 0;
  if (fitScale() >= readable) { fit(); } else { view.scale = natural * 0.8; }
  if (player.hasAttribute("data-read-hash")) {  // page.html#step=5&zoom=150 opens at step 5, zoomed to 150%
    location.hash.slice(1).split("&").forEach(function (pair) {
      var setting = pair.split("="), number = parseFloat(setting[1]);
      if (setting[0] === "step" && number >= 1) { start = Math.round(number) - 1; }
      if (setting[0] === "zoom" && number > 0) { view.scale = natural * number / 100; }
    });
  }
  showView();
  show(start);
})();
"""
