// The explorable: sliders for η, λ, γ, the number of steps and the start angle; every change runs both runs again
// (window.LessonMath) and redraws the two panels, the angle plot and the gap plot. Colours: the video's.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("lesson-data").textContent);
  const settings = data.settings;
  const strings = data.strings;
  const css = getComputedStyle(document.documentElement);
  const colour = (name) => css.getPropertyValue(`--${name}`).trim();
  const heatmap = new Image();
  heatmap.src = "assets/heatmap.png";

  const sliders = {};
  for (const spec of settings.sliders) {
    const input = document.getElementById(`slider-${spec.name}`);
    Object.assign(input, { min: spec.low, max: spec.high, step: spec.step });
    input.value = spec.value;
    sliders[spec.name] = { spec, input, output: document.getElementById(`value-${spec.name}`) };
  }
  const stepInput = document.getElementById("slider-step");
  const stepOutput = document.getElementById("value-step");
  const refusalBox = document.getElementById("refusal");
  const playButton = document.getElementById("play");

  const SUPERSCRIPT = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };
  // 9.79 × 10²¹ (plain decimals between 0.001 and 10 000)
  function scientific(value, digits = 3) {
    if (value === 0) return "0";
    const exponent = Math.floor(Math.log10(Math.abs(value)));
    if (exponent >= -3 && exponent < 4) return String(Number(value.toPrecision(digits)));
    const mantissa = (value / Math.pow(10, exponent)).toFixed(digits - 1);
    return `${mantissa} × 10${String(exponent).replace(/./g, (c) => SUPERSCRIPT[c])}`;
  }
  const fill = (template, values) => template.replace(/\{(\w+)\}/g, (all, name) => (name in values ? values[name] : all));

  function recipe() {
    return {
      lr: Number(sliders.lr.input.value),
      weight_decay: Number(sliders.weight_decay.input.value),
      momentum: Number(sliders.momentum.input.value),
      steps: Number(sliders.steps.input.value),
    };
  }
  function start() {
    const angle = (Number(sliders.angle.input.value) * Math.PI) / 180;
    return [settings.radius * Math.cos(angle), settings.radius * Math.sin(angle)];
  }

  const state = { result: null, recipe: null, lastUpdateMs: 0, updates: 0 };

  function update() {
    const began = performance.now();
    for (const { spec, input, output } of Object.values(sliders)) {
      output.textContent = spec.name === "angle" ? `${input.value}°` : input.value;
    }
    state.recipe = recipe();
    state.result = LessonMath.twinRuns(settings.wells, start(), state.recipe);
    stepInput.max = state.recipe.steps;
    stepInput.value = state.recipe.steps;
    const refused = state.result.refused;
    refusalBox.hidden = !refused;
    document.getElementById("explore").classList.toggle("refused", Boolean(refused));
    if (refused) {
      const key = `refused_${refused.kind}`;
      const values = { product: scientific(refused.product ?? NaN, 4), limit: scientific(refused.limit ?? NaN, 4),
                       step: refused.step };
      refusalBox.textContent = fill(strings[key] || strings.refused_other, values);
    }
    readouts();
    draw();
    state.lastUpdateMs = performance.now() - began;
    state.updates++;
  }

  function readouts() {
    const r = state.result;
    const set = (id, text) => { document.getElementById(id).textContent = text; };
    if (r.refused) {
      for (const id of ["readout-alpha", "readout-growth", "readout-gap"]) set(id, "—");
      return;
    }
    const steps = state.recipe.steps;
    set("readout-alpha", String(Number(r.alpha.toPrecision(6))));
    set("readout-growth", steps > 0 ? `× ${scientific(r.rates[steps - 1] / r.rates[0])}` : "—");
    set("readout-gap", scientific(Math.max(...r.gap)));
  }

  // --- drawing ------------------------------------------------------------------------------------------------
  function sized(canvas) {
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
    const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
    if (canvas.width !== width || canvas.height !== height) Object.assign(canvas, { width, height });
    const context = canvas.getContext("2d");
    context.setTransform(1, 0, 0, 1, 0, 0);
    return { context, width, height, ratio };
  }
  const norm = (path, t) => Math.sqrt(path[2 * t] * path[2 * t] + path[2 * t + 1] * path[2 * t + 1]);

  function panel(canvas, path, upTo, extent, stroke) {
    const { context: c, width, height, ratio } = sized(canvas);
    c.clearRect(0, 0, width, height);
    if (heatmap.complete && heatmap.naturalWidth) c.drawImage(heatmap, 0, 0, width, height);
    const px = (x) => ((x / extent + 1) / 2) * width;
    const py = (y) => ((1 - y / extent) / 2) * height;
    c.strokeStyle = colour("muted");
    c.lineWidth = ratio;
    c.beginPath();
    c.moveTo(0, height / 2); c.lineTo(width, height / 2); c.moveTo(width / 2, 0); c.lineTo(width / 2, height);
    c.stroke();
    if (!path) return;
    c.strokeStyle = stroke;
    c.lineWidth = 2.5 * ratio;
    c.beginPath();
    for (let t = 0; t <= upTo; t++) {
      const [x, y] = [px(path[2 * t]), py(path[2 * t + 1])];
      if (t === 0) c.moveTo(x, y); else c.lineTo(x, y);
    }
    c.stroke();
    c.fillStyle = stroke;
    c.beginPath();
    c.arc(px(path[2 * upTo]), py(path[2 * upTo + 1]), 5 * ratio, 0, 2 * Math.PI);
    c.fill();
    c.strokeStyle = colour("text");
    c.lineWidth = 1.5 * ratio;
    c.beginPath();
    c.arc(px(path[0]), py(path[1]), 4 * ratio, 0, 2 * Math.PI);
    c.stroke();
  }

  function plot(canvas, series, upTo, yRange, yTicks, yLabel) {
    const { context: c, width, height, ratio } = sized(canvas);
    c.clearRect(0, 0, width, height);
    const left = 56 * ratio, right = 12 * ratio, top = 10 * ratio, bottom = 26 * ratio;
    const steps = state.recipe.steps;
    const px = (t) => left + ((width - left - right) * t) / Math.max(steps, 1);
    const py = (v) => top + ((height - top - bottom) * (yRange[1] - v)) / (yRange[1] - yRange[0]);
    c.font = `${13 * ratio}px sans-serif`;
    c.fillStyle = colour("muted");
    c.strokeStyle = colour("muted");
    c.lineWidth = ratio;
    c.textAlign = "right";
    c.textBaseline = "middle";
    for (const tick of yTicks) {
      c.globalAlpha = 0.35;
      c.beginPath(); c.moveTo(left, py(tick)); c.lineTo(width - right, py(tick)); c.stroke();
      c.globalAlpha = 1;
      c.fillText(yLabel(tick), left - 6 * ratio, py(tick));
    }
    c.textAlign = "center";
    c.textBaseline = "top";
    for (const t of [0, Math.round(steps / 2), steps]) c.fillText(String(t), px(t), height - bottom + 6 * ratio);
    for (const { values, stroke, dash } of series) {
      c.strokeStyle = stroke;
      c.lineWidth = 2 * ratio;
      c.setLineDash(dash ? [6 * ratio, 5 * ratio] : []);
      c.beginPath();
      for (let t = 0; t <= steps; t++) {
        const v = Math.min(Math.max(values[t], yRange[0]), yRange[1]);
        if (t === 0) c.moveTo(px(t), py(v)); else c.lineTo(px(t), py(v));
      }
      c.stroke();
    }
    c.setLineDash([]);
    c.strokeStyle = colour("text");
    c.globalAlpha = 0.6;
    c.beginPath(); c.moveTo(px(upTo), top); c.lineTo(px(upTo), height - bottom); c.stroke();
    c.globalAlpha = 1;
  }

  function angles(path, scale) {
    const out = new Float64Array(path.length / 2);
    let previous = 0;
    for (let t = 0; t < out.length; t++) {
      let angle = (Math.atan2(scale[t] * path[2 * t + 1], scale[t] * path[2 * t]) * 180) / Math.PI;
      if (t > 0) angle += 360 * Math.round((previous - angle) / 360); // unwrapped, as numpy.unwrap
      out[t] = previous = angle;
    }
    return out;
  }

  function draw() {
    const r = state.result;
    const upTo = Number(stepInput.value);
    stepOutput.textContent = fill(strings.readout_step, { step: upTo });
    const decayedCanvas = document.getElementById("panel-decayed");
    const explodedCanvas = document.getElementById("panel-exploded");
    if (r.refused) {
      panel(decayedCanvas, null, 0, settings.radius * 1.25, "");
      panel(explodedCanvas, null, 0, settings.radius * 1.25, "");
      for (const id of ["plot-angle", "plot-gap"]) sized(document.getElementById(id)).context.clearRect(0, 0, 1e6, 1e6);
      document.getElementById("view-extent").textContent = "";
      return;
    }
    const steps = state.recipe.steps;
    let reach = 0;
    for (let t = 0; t <= steps; t++) reach = Math.max(reach, norm(r.decayed, t));
    panel(decayedCanvas, r.decayed, upTo, 1.15 * reach, colour("decay"));
    let grown = 0;
    for (let t = 0; t <= upTo; t++) grown = Math.max(grown, norm(r.exploded, t));
    const zoom = 1.15 * grown; // the zooming view: wide enough for the run so far
    panel(explodedCanvas, r.exploded, upTo, zoom, colour("exp"));
    document.getElementById("view-extent").textContent = fill(strings.view_extent, { extent: scientific(zoom) });

    const ones = new Float64Array(steps + 1).fill(1);
    const decayedAngles = angles(r.decayed, ones), rescaledAngles = angles(r.exploded, r.scale);
    const low = Math.min(...decayedAngles, ...rescaledAngles), high = Math.max(...decayedAngles, ...rescaledAngles);
    const pad = Math.max(5, 0.1 * (high - low));
    const spacing = [5, 10, 15, 30, 45, 90, 180].find((s) => (high - low + 2 * pad) / s <= 6) || 360;
    const ticks = [];
    for (let v = Math.ceil((low - pad) / spacing) * spacing; v <= high + pad; v += spacing) ticks.push(v);
    plot(document.getElementById("plot-angle"),
      [{ values: decayedAngles, stroke: colour("decay") }, { values: rescaledAngles, stroke: colour("exp"), dash: true }],
      upTo, [low - pad, high + pad], ticks, (v) => `${v}°`);
    const logGap = Array.from(r.gap, (g) => Math.log10(Math.max(g, 1e-17)));
    const top = Math.max(0, Math.ceil(Math.max(...logGap)));
    plot(document.getElementById("plot-gap"), [{ values: logGap, stroke: colour("grad") }], upTo, [-17, top],
      [-15, -10, -5, 0].filter((v) => v <= top), (v) => (v === 0 ? "1" : `10${String(v).replace(/./g, (c) => SUPERSCRIPT[c])}`));
  }

  // --- playing through the steps ---------------------------------------------------------------------------------
  let playing = null;
  function stop() {
    if (playing !== null) cancelAnimationFrame(playing);
    playing = null;
    playButton.textContent = strings.play;
  }
  playButton.addEventListener("click", () => {
    if (playing !== null || state.result.refused) { stop(); return; }
    const steps = state.recipe.steps, began = performance.now(), seconds = 4;
    if (Number(stepInput.value) >= steps) stepInput.value = 0;
    const from = Number(stepInput.value);
    playButton.textContent = strings.pause;
    const frame = (now) => {
      stepInput.value = Math.min(steps, Math.round(from + ((now - began) / 1000 / seconds) * steps));
      draw();
      if (Number(stepInput.value) < steps) playing = requestAnimationFrame(frame); else stop();
    };
    playing = requestAnimationFrame(frame);
  });

  for (const { input } of Object.values(sliders)) input.addEventListener("input", () => { stop(); update(); });
  stepInput.addEventListener("input", () => { stop(); draw(); });
  document.getElementById("reset").addEventListener("click", () => {
    stop();
    for (const { spec, input } of Object.values(sliders)) input.value = spec.value;
    update();
  });
  window.addEventListener("resize", () => state.result && draw());
  heatmap.addEventListener("load", () => state.result && draw());
  update();

  window.Explorable = { state, update, draw, recipe, start, scientific };
})();
