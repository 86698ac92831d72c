(function () {
  "use strict";
  /* Light 3-D views of region graphs: a glass-brain outline (points of the fsaverage5 pial surface),
     edges coloured by weight and nodes coloured by network, drawn on a 2-D canvas.
     Drag to rotate; buttons for standard views and zoom; hover a region for its details. */
  var outlineNode = document.getElementById("brain-outline");
  if (!outlineNode) { return; }
  var raw = atob(JSON.parse(outlineNode.textContent));
  var outline = new Float32Array(raw.length);
  for (var k = 0; k < raw.length; k++) {
    var code = raw.charCodeAt(k);
    outline[k] = code > 127 ? code - 256 : code;
  }
  var VIEWS = {
    left: [Math.PI / 2, 0], right: [-Math.PI / 2, 0], top: [0, Math.PI / 2],
    front: [Math.PI, 0], back: [0, 0], oblique: [0.35, 1.1]
  };

  function project(state, x, y, z, scale, cx, cy) {
    y += 18;  /* rotate about the middle of the brain, near MNI (0, -18, 8) */
    z -= 8;
    var cosYaw = Math.cos(state.yaw), sinYaw = Math.sin(state.yaw);
    var cosPitch = Math.cos(state.pitch), sinPitch = Math.sin(state.pitch);
    var x1 = x * cosYaw - y * sinYaw;
    var y1 = x * sinYaw + y * cosYaw;
    var depth = y1 * cosPitch - z * sinPitch;
    var up = y1 * sinPitch + z * cosPitch;
    return [cx + scale * x1, cy - scale * up, depth];
  }

  function convexHull(points) {
    /* Andrew's monotone chain: the outline of the projected brain. */
    var sorted = points.slice().sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    function cross(o, a, b) { return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]); }
    var lower = [], upper = [];
    sorted.forEach(function (q) {
      while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], q) <= 0) { lower.pop(); }
      lower.push(q);
    });
    sorted.slice().reverse().forEach(function (q) {
      while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], q) <= 0) { upper.pop(); }
      upper.push(q);
    });
    return lower.slice(0, -1).concat(upper.slice(0, -1));
  }

  function setUp(box) {
    var data = JSON.parse(document.getElementById(box.getAttribute("data-source")).textContent);
    var canvas = box.querySelector("canvas");
    var tip = box.querySelector(".tip");
    var context = canvas.getContext("2d");
    var state = { yaw: VIEWS.oblique[0], pitch: VIEWS.oblique[1], zoom: 1.0, drag: null, placed: [] };
    var labelAll = data.nodes.length <= 20;  /* beyond 20 regions only the 20 highest scores are named */
    var ranked = data.nodes.map(function (n, i) { return i; }).sort(function (a, b) {
      return data.nodes[b].score - data.nodes[a].score;
    });
    var labelled = {};
    ranked.slice(0, labelAll ? ranked.length : 20).forEach(function (i) { labelled[i] = true; });

    function draw() {
      var ratio = window.devicePixelRatio || 1;
      var width = canvas.clientWidth, height = canvas.clientHeight;
      if (canvas.width !== Math.round(width * ratio)) { canvas.width = Math.round(width * ratio); }
      if (canvas.height !== Math.round(height * ratio)) { canvas.height = Math.round(height * ratio); }
      context.setTransform(ratio, 0, 0, ratio, 0, 0);
      context.fillStyle = "#ffffff";
      context.fillRect(0, 0, width, height);
      var scale = state.zoom * Math.min(width, height) / 175.0;
      var cx = width / 2, cy = height / 2;
      var cloud = [];
      for (var p = 0; p < outline.length; p += 3) {
        cloud.push(project(state, outline[p], outline[p + 1], outline[p + 2], scale, cx, cy));
      }
      var hull = convexHull(cloud);
      context.beginPath();
      hull.forEach(function (q, i) { if (i) { context.lineTo(q[0], q[1]); } else { context.moveTo(q[0], q[1]); } });
      context.closePath();
      context.fillStyle = "#f4f6f7";
      context.fill();
      context.lineWidth = 1.5;
      context.strokeStyle = "#99a3a4";
      context.stroke();
      context.fillStyle = "rgba(95, 106, 125, 0.16)";
      cloud.forEach(function (q) { context.fillRect(q[0] - 1, q[1] - 1, 2, 2); });
      var placed = data.nodes.map(function (n) { return project(state, n.x, n.y, n.z, scale, cx, cy); });
      var edges = data.edges.slice().sort(function (a, b) {
        return (placed[b[0]][2] + placed[b[1]][2]) - (placed[a[0]][2] + placed[a[1]][2]);
      });
      context.lineCap = "round";
      edges.forEach(function (edge) {
        context.strokeStyle = edge[3];
        context.globalAlpha = 0.9;
        context.lineWidth = 1.5 + 3.5 * (data.vmax > 0 ? edge[2] / data.vmax : 0);
        context.beginPath();
        context.moveTo(placed[edge[0]][0], placed[edge[0]][1]);
        context.lineTo(placed[edge[1]][0], placed[edge[1]][1]);
        context.stroke();
      });
      context.globalAlpha = 1.0;
      var order = data.nodes.map(function (n, i) { return i; }).sort(function (a, b) {
        return placed[b][2] - placed[a][2];
      });
      order.forEach(function (i) {
        var node = data.nodes[i];
        context.beginPath();
        context.arc(placed[i][0], placed[i][1], 4 + 5 * node.size, 0, 2 * Math.PI);
        context.fillStyle = node.color;
        context.fill();
        context.lineWidth = 1.2;
        context.strokeStyle = "#ffffff";
        context.stroke();
      });
      context.font = "11px -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";
      context.lineJoin = "round";
      order.forEach(function (i) {
        if (!labelled[i]) { return; }
        var x = placed[i][0] + 7, y = placed[i][1] - 6;
        context.lineWidth = 3;
        context.strokeStyle = "rgba(255, 255, 255, 0.9)";
        context.strokeText(data.nodes[i].name, x, y);
        context.fillStyle = "#1c2833";
        context.fillText(data.nodes[i].name, x, y);
      });
      state.placed = placed;
    }

    function nearest(event) {
      var bounds = canvas.getBoundingClientRect();
      var x = event.clientX - bounds.left, y = event.clientY - bounds.top, best = -1, distance = 100;
      state.placed.forEach(function (q, i) {
        var d = (q[0] - x) * (q[0] - x) + (q[1] - y) * (q[1] - y);
        if (d < distance) { distance = d; best = i; }
      });
      return [best, x, y];
    }

    canvas.addEventListener("pointerdown", function (event) {
      state.drag = [event.clientX, event.clientY, state.yaw, state.pitch];
      canvas.setPointerCapture(event.pointerId);
    });
    canvas.addEventListener("pointerup", function () { state.drag = null; });
    canvas.addEventListener("pointerleave", function () { tip.hidden = true; });
    canvas.addEventListener("pointermove", function (event) {
      if (state.drag) {
        state.yaw = state.drag[2] + (event.clientX - state.drag[0]) * 0.01;
        state.pitch = Math.max(-1.57, Math.min(1.57, state.drag[3] + (event.clientY - state.drag[1]) * 0.01));
        draw();
        return;
      }
      var hit = nearest(event);
      if (hit[0] < 0) { tip.hidden = true; return; }
      var node = data.nodes[hit[0]];
      tip.textContent = node.name + (node.network ? " (" + node.network + ")" : "") + ": " + data.kind + " " +
        node.score.toPrecision(3) + " nats; MNI " + [node.x, node.y, node.z].map(function (v) {
          return Math.round(v);
        }).join(", ");
      tip.style.left = (hit[1] + 12) + "px";
      tip.style.top = (hit[2] + 12) + "px";
      tip.hidden = false;
    });
    box.querySelectorAll("button[data-view]").forEach(function (button) {
      button.addEventListener("click", function () {
        var view = button.getAttribute("data-view");
        if (view === "in") { state.zoom *= 1.25; } else if (view === "out") { state.zoom /= 1.25; } else {
          state.yaw = VIEWS[view][0];
          state.pitch = VIEWS[view][1];
        }
        draw();
      });
    });
    window.addEventListener("resize", draw);
    draw();
  }

  document.querySelectorAll("div.view3d").forEach(setUp);
}());
