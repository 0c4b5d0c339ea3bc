"""The style and the script of the training recorder's page, the few lines of CSS and JavaScript it runs.

The page holds one SVG of the model's graph on the probe input (laid out once,
from the first frame) and the frames as JSON data. Showing a frame rewrites the
``data`` and ``grad`` texts of each box (found by the ``<title>`` Graphviz gives
its group), colours the box by the size of its gradient and writes the word
beside it (``▽ tiny``, ``▲ large``, ``✕ dead``), paints the loss curve in colour
up to the frame's step with a dot there, and paints the decision boundary's grid
of classes into a small canvas under the probe's points. Nothing is laid out again.
"""

RECORDER_STYLE = """
.tracegrad-recorder { font-family: Helvetica, Arial, sans-serif; outline: none; }
.tracegrad-recorder .controls { display: flex; flex-wrap: wrap; gap: 0.5em; align-items: center; margin: 0.3em 0; }
.tracegrad-recorder .controls input[type=range] { flex: 1; min-width: 8em; max-width: 30em; }
.tracegrad-recorder .status { margin: 0.3em 0; font-size: 1.05em; min-height: 1.3em; }
.tracegrad-recorder .graph { overflow: auto; border: 1px solid #ccc; }
.tracegrad-recorder .graph svg { display: block; max-width: none; height: auto; }  /* its own size: scrolls, never shrinks */
.tracegrad-recorder .side { display: flex; flex-wrap: wrap; gap: 0 2em; align-items: flex-start; }
.tracegrad-recorder .side > div { flex: 0 1 20em; }
.tracegrad-recorder .side h3 { font-size: 0.95em; margin: 0.6em 0 0.2em; }
.tracegrad-recorder .boundary { position: relative; border: 1px solid #ccc; }
.tracegrad-recorder .boundary canvas { position: absolute; left: 0; top: 0; width: 100%; height: 100%; }
.tracegrad-recorder .boundary canvas.regions { image-rendering: pixelated; }
.tracegrad-recorder .colour-bar { height: 0.8em; width: 15em; border: 1px solid #999; }
.tracegrad-recorder .colour-bar.fills { border-top: none; }
.tracegrad-recorder .scale { display: flex; justify-content: space-between; width: 15em; }
.tracegrad-recorder .scale span { font-size: 0.8em; }
.tracegrad-recorder .legend { font-size: 0.85em; margin: 0.3em 0; padding-left: 1.2em; }
.tracegrad-recorder .mark { font-size: 10px; font-weight: bold; fill: #000; }
"""

RECORDER_SCRIPT = """
(function () {
  var recorder = document.getElementById(RECORDER_ID);
  var data = JSON.parse(recorder.querySelector("script.frames").textContent);
  var frames = data.frames;
  var svg = recorder.querySelector(".graph svg");
  var slider = recorder.querySelector("input[type=range]");
  var status = recorder.querySelector(".status");
  var playButton = recorder.querySelector(".play");
  var curveCanvas = recorder.querySelector("canvas.curve");
  var regions = recorder.querySelector("canvas.regions");
  var dots = recorder.querySelector("canvas.dots");
  var SVG_NS = "http://www.w3.org/2000/svg";

  // Room above the picture for the words beside the top boxes.
  var whole = svg.viewBox.baseVal;
  svg.setAttribute("viewBox", [whole.x, whole.y - 14, whole.width, whole.height + 14].join(" "));
  svg.setAttribute("height", (parseFloat(svg.getAttribute("height")) + 14) + "pt");

  // Each box that changes from frame to frame: its shape, its data and grad texts, and a text for its words.
  var boxes = {};
  svg.querySelectorAll("g.node").forEach(function (group) {
    var title = group.querySelector("title");
    if (!title || !(title.textContent in frames[0].boxes)) { return; }
    var box = {shape: group.querySelector("path, polygon")};
    group.querySelectorAll("text").forEach(function (text) {
      if (text.textContent.indexOf("data ") === 0) { box.data = text; }
      if (text.textContent.indexOf("grad ") === 0) { box.grad = text; }
    });
    box.fill = box.shape.getAttribute("fill");
    box.stroke = box.shape.getAttribute("stroke");
    box.width = box.shape.getAttribute("stroke-width");
    var bounds = box.shape.getBBox();
    box.mark = document.createElementNS(SVG_NS, "text");
    box.mark.setAttribute("class", "mark");
    box.mark.setAttribute("x", bounds.x + bounds.width);
    box.mark.setAttribute("y", bounds.y - 3);
    box.mark.setAttribute("text-anchor", "end");
    group.appendChild(box.mark);
    boxes[title.textContent] = box;
  });
  function tint(color) {  // the colour mixed half with white, light enough to read black text on
    var mixed = [1, 3, 5].map(function (i) {
      return Math.round((parseInt(color.substr(i, 2), 16) + 255) / 2).toString(16).padStart(2, "0");
    });
    return "#" + mixed.join("");
  }
  // The colour bar's second row: the fills, as paintBox tints them.
  recorder.querySelectorAll(".colour-bar.fills").forEach(function (bar) {
    bar.style.background = "linear-gradient(to right, " + data.palette.map(tint).join(", ") + ")";
  });
  function paintBox(box, numbers) {
    if (box.data) { box.data.textContent = numbers[0]; }
    if (box.grad) { box.grad.textContent = numbers[1]; }
    var color = numbers[2], mark = numbers[3];
    box.mark.textContent = mark;
    box.shape.setAttribute("fill", color ? tint(color) : box.fill);
    box.shape.setAttribute("stroke", color || box.stroke);
    var large = mark.indexOf(data.large) >= 0, tiny = mark.indexOf(data.tiny) >= 0;
    box.shape.setAttribute("stroke-width", large ? 5 : (color ? 2.5 : box.width || 1));
    box.shape.setAttribute("stroke-dasharray", tiny ? "3 3" : (mark.indexOf(data.dead) >= 0 ? "9 3" : ""));
  }

  // A canvas drawn at twice its size on the page, so lines stay sharp on fine screens.
  function context(canvas) {
    var width = parseFloat(canvas.style.width) || canvas.parentNode.clientWidth;
    var height = parseFloat(canvas.style.height) || canvas.parentNode.clientHeight;
    canvas.width = 2 * width;
    canvas.height = 2 * height;
    var drawing = canvas.getContext("2d");
    drawing.scale(2, 2);
    return drawing;
  }
  var curve = context(curveCanvas);
  function line(color, width) {
    curve.strokeStyle = color;
    curve.lineWidth = width;
    curve.beginPath();
    data.curve.line.forEach(function (point, i) {
      if (i === 0) { curve.moveTo(point[0], point[1]); } else { curve.lineTo(point[0], point[1]); }
    });
    curve.stroke();
  }
  function paintCurve(point) {  // the whole curve in grey, in colour up to the frame's step, and a dot there
    var box = data.curve.box;
    curve.clearRect(0, 0, curveCanvas.width, curveCanvas.height);
    curve.strokeStyle = "#999";
    curve.lineWidth = 1;
    curve.beginPath();
    curve.moveTo(box[0], box[1]);
    curve.lineTo(box[0], box[3]);
    curve.lineTo(box[2], box[3]);
    curve.stroke();
    curve.fillStyle = "#000";
    curve.font = "11px Helvetica, Arial, sans-serif";
    data.curve.labels.forEach(function (label) {
      curve.textAlign = label[3];
      curve.fillText(label[0], label[1], label[2]);
    });
    line("#c8c8c8", 1.5);
    if (!point) { return; }
    curve.save();
    curve.beginPath();
    curve.rect(0, 0, point[0] + 0.5, curveCanvas.height);
    curve.clip();
    line("#0072b2", 2);
    curve.restore();
    curve.fillStyle = "#d55e00";
    curve.strokeStyle = "#000";
    curve.lineWidth = 1;
    curve.beginPath();
    curve.arc(point[0], point[1], 4, 0, 2 * Math.PI);
    curve.fill();
    curve.stroke();
  }

  var pixels = null;
  if (regions) {
    regions.width = regions.height = data.resolution;
    pixels = regions.getContext("2d").createImageData(data.resolution, data.resolution);
    var dotDrawing = context(dots);
    data.dots.forEach(function (dot) {
      dotDrawing.fillStyle = dot[2];
      dotDrawing.strokeStyle = "#000";
      dotDrawing.beginPath();
      dotDrawing.arc(dot[0], dot[1], 5, 0, 2 * Math.PI);
      dotDrawing.fill();
      dotDrawing.stroke();
    });
  }
  function paintBoundary(classes) {
    for (var i = 0; i < classes.length; i++) {
      var color = data.regionColors[parseInt(classes[i], 10) % data.regionColors.length];
      for (var k = 0; k < 3; k++) { pixels.data[4 * i + k] = parseInt(color.substr(1 + 2 * k, 2), 16); }
      pixels.data[4 * i + 3] = 255;
    }
    regions.getContext("2d").putImageData(pixels, 0, 0);
  }

  function show(index) {
    index = Math.max(0, Math.min(frames.length - 1, index));
    var frame = frames[index];
    Object.keys(boxes).forEach(function (id) { paintBox(boxes[id], frame.boxes[id]); });
    paintCurve(frame.curve);
    if (regions && frame.classes) { paintBoundary(frame.classes); }
    slider.value = index;
    status.textContent = "frame " + (index + 1) + " of " + frames.length + " \\u00b7 " + frame.when;
  }
  function current() { return parseInt(slider.value, 10); }

  var timer = null;
  function pause() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    playButton.textContent = "\\u25b6 play";
  }
  function play() {
    if (current() >= frames.length - 1) { show(0); }
    playButton.textContent = "\\u275a\\u275a pause";
    timer = setInterval(function () {
      if (current() >= frames.length - 1) { pause(); } else { show(current() + 1); }
    }, 700);
  }
  function toggle() { if (timer === null) { play(); } else { pause(); } }

  playButton.addEventListener("click", toggle);
  recorder.querySelector(".previous").addEventListener("click", function () { pause(); show(current() - 1); });
  recorder.querySelector(".next").addEventListener("click", function () { pause(); show(current() + 1); });
  slider.addEventListener("input", function () { pause(); show(current()); });
  recorder.addEventListener("keydown", function (event) {
    var steps = {ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1};
    if (event.key in steps) { pause(); show(current() + steps[event.key]); }
    else if (event.key === " ") { toggle(); }
    else if (event.key === "Home") { pause(); show(0); }
    else if (event.key === "End") { pause(); show(frames.length - 1); }
    else { return; }
    event.preventDefault();
  });

  var start = 0;
  if (recorder.hasAttribute("data-read-hash")) {  // page.html#frame=5 opens at the fifth frame
    location.hash.slice(1).split("&").forEach(function (pair) {
      var setting = pair.split("="), number = parseFloat(setting[1]);
      if (setting[0] === "frame" && number >= 1) { start = Math.round(number) - 1; }
    });
  }
  show(start);
})();
"""
