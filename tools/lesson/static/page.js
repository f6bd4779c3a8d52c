// The lesson page: formulas set by KaTeX; chapters and transcript lines that seek the video; the line being
// spoken highlighted as it plays; a search box over the transcript.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("lesson-data").textContent);
  const video = document.getElementById("lesson-video");

  // Formulas: the LaTeX sympy printed, set by KaTeX (a formula KaTeX cannot read is an error, not a silent gap).
  for (const element of document.querySelectorAll(".math[data-latex]")) {
    katex.render(element.dataset.latex, element, { displayMode: true, throwOnError: true, output: "htmlAndMathml" });
  }

  // Seeking: a chapter or a transcript line plays the video from its start.
  function seek(seconds) {
    video.currentTime = seconds;
    const playing = video.play();
    if (playing && playing.catch) playing.catch(() => {}); // no autoplay here (a test, a muted tab): seeking is enough
  }
  for (const button of document.querySelectorAll("button.seek")) {
    button.addEventListener("click", () => seek(Number(button.dataset.start)));
  }

  // Subtitles: the buttons under the player show one language's track, or none (the player's menu does too).
  const choices = Array.from(document.querySelectorAll(".subtitle-choice button"));
  function showSubtitles(tag) {
    for (const track of video.textTracks) track.mode = track.language === tag ? "showing" : "disabled";
    for (const button of choices) button.setAttribute("aria-pressed", String(button.dataset.track === tag));
  }
  for (const button of choices) button.addEventListener("click", () => showSubtitles(button.dataset.track));
  video.textTracks.addEventListener("change", () => {
    const shown = Array.from(video.textTracks).find((track) => track.mode === "showing");
    for (const button of choices) button.setAttribute("aria-pressed", String(button.dataset.track === (shown ? shown.language : "")));
  });

  // The line being spoken: the last one started at the current time, if it has not ended.
  const lines = Array.from(document.querySelectorAll("#transcript-lines .line"));
  const starts = lines.map((line) => Number(line.dataset.start));
  let current = null;
  function lineAt(seconds) {
    let low = 0, high = starts.length - 1, found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (starts[middle] <= seconds) { found = middle; low = middle + 1; } else { high = middle - 1; }
    }
    return found >= 0 && seconds < Number(lines[found].dataset.end) ? lines[found] : null;
  }
  function highlight() {
    const line = lineAt(video.currentTime);
    if (line === current) return;
    if (current) { current.classList.remove("current"); current.removeAttribute("aria-current"); }
    current = line;
    if (line) {
      line.classList.add("current");
      line.setAttribute("aria-current", "true");
      const box = document.getElementById("transcript-lines");
      const top = line.offsetTop - box.offsetTop;
      if (top < box.scrollTop || top > box.scrollTop + box.clientHeight - line.offsetHeight) {
        box.scrollTop = top - box.clientHeight / 3;  // inside the transcript box only: the page does not jump
      }
    }
  }
  for (const event of ["timeupdate", "seeked", "loadedmetadata"]) video.addEventListener(event, highlight);

  // Search: show only the lines that contain what was typed (any case), and say how many.
  const search = document.getElementById("search");
  const count = document.getElementById("search-count");
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (all, name) => (name in values ? String(values[name]) : all));
  }
  function filter() {
    const query = search.value.trim().toLocaleLowerCase(data.lang);
    let shown = 0;
    for (const line of lines) {
      const hit = !query || line.textContent.toLocaleLowerCase(data.lang).includes(query);
      line.hidden = !hit;
      if (hit) shown++;
    }
    for (const chapter of document.querySelectorAll(".transcript-chapter")) {
      chapter.hidden = !chapter.querySelector(".line:not([hidden])");
    }
    count.textContent = query && shown === 0
      ? fill(data.strings.search_none, { query: search.value.trim() })
      : fill(data.strings.search_count, { shown, total: lines.length });
  }
  search.addEventListener("input", filter);
  filter();

  window.LessonPage = { lineAt, highlight, filter, fill, showSubtitles };
})();
