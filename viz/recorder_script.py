"""The style and the script of the training recorder's page, the few lines of CSS and JavaScript it runs.

The page holds one SVG of the model's graph on the probe input (laid out once,
from the first frame) and the frames as JSON data. Showing a frame rewrites the
``data`` and ``grad`` texts of each box (found by the ``<title>`` Graphviz gives
its group), colours the box by the size of its gradient and writes the word
beside it (``▽ tiny``, ``▲ large``, ``✕ dead``), moves the point on the loss
curve and uncovers the curve up to it, and paints the decision boundary's grid
of classes into a small canvas. Nothing is laid out again.
"""

RECORDER_STYLE = """
.tracegrad-recorder { font-family: Helvetica, Arial, sans-serif; outline: none; }
.tracegrad-recorder .controls { display: flex; flex-wrap: wrap; gap: 0.5em; align-items: center; margin: 0.3em 0; }
.tracegrad-recorder .controls input[type=range] { flex: 1; min-width: 8em; max-width: 30em; }
.tracegrad-recorder .status { margin: 0.3em 0; font-size: 1.05em; min-height: 1.3em; }
.tracegrad-recorder .panels { display: flex; flex-wrap: wrap; gap: 1em; align-items: flex-start; }
.tracegrad-recorder .graph { flex: 1 1 30em; overflow: auto; border: 1px solid #ccc; }
.tracegrad-recorder .graph svg { display: block; max-width: 100%; height: auto; }
.tracegrad-recorder .side { flex: 0 0 20em; }
.tracegrad-recorder .side h3 { font-size: 0.95em; margin: 0.6em 0 0.2em; }
.tracegrad-recorder .boundary { position: relative; width: 15em; height: 15em; border: 1px solid #ccc; }
.tracegrad-recorder .boundary canvas, .tracegrad-recorder .boundary svg { position: absolute; left: 0; top: 0;
  width: 100%; height: 100%; image-rendering: pixelated; }
.tracegrad-recorder .colour-bar { height: 0.8em; width: 15em; border: 1px solid #999; }
.tracegrad-recorder .scale { display: flex; justify-content: space-between; width: 15em; font-size: 0.8em; }
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
  var sofar = recorder.querySelector(".sofar");
  var now = recorder.querySelector(".now");
  var canvas = recorder.querySelector(".boundary canvas");
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

  var pixels = null;
  if (canvas) {
    canvas.width = canvas.height = data.resolution;
    pixels = canvas.getContext("2d").createImageData(data.resolution, data.resolution);
  }
  function paintBoundary(classes) {
    for (var i = 0; i < classes.length; i++) {
      var color = data.regionColors[parseInt(classes[i], 10) % data.regionColors.length];
      for (var k = 0; k < 3; k++) { pixels.data[4 * i + k] = parseInt(color.substr(1 + 2 * k, 2), 16); }
      pixels.data[4 * i + 3] = 255;
    }
    canvas.getContext("2d").putImageData(pixels, 0, 0);
  }

  function show(index) {
    index = Math.max(0, Math.min(frames.length - 1, index));
    var frame = frames[index];
    Object.keys(boxes).forEach(function (id) { paintBox(boxes[id], frame.boxes[id]); });
    if (frame.curve) {
      sofar.setAttribute("width", frame.curve[0]);
      now.setAttribute("cx", frame.curve[0]);
      now.setAttribute("cy", frame.curve[1]);
      now.style.display = "";
    } else {
      sofar.setAttribute("width", 0);
      now.style.display = "none";
    }
    if (canvas && frame.classes) { paintBoundary(frame.classes); }
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
