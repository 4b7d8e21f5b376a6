// The redaction reviewer's page. Everything comes from the API under the dispatcher's token
// (kept in this tab's sessionStorage, the same key the dispatcher page uses); frames are JPEGs
// the server decodes, fetched with the token and shown through blob: URLs. Data is only ever
// inserted as text. Every word comes from lang.js in the language the person chose (i18n.js: the
// same choice as on the dispatcher page), and every call asks for the server's sentences in it.

import { applyStatic, bindPicker, formatNumber, formatPercent, language, t } from "./i18n.js";

const TOKEN_KEY = "posbon.token";
const POLL_MS = 1000;
const STRIP_FRAMES = 12;
const THUMB_SIDE_PX = 160;
const WORKING = new Set(["proposing", "rendering"]);

const $ = (id) => document.getElementById(id);
const redactionId = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop() || "");
const view = { job: null, frame: 0, drawn: null, token: sessionStorage.getItem(TOKEN_KEY) };

class ApiError extends Error {
  /** The server's sentence (`message`, in the page's language), else its detail, else ours. */
  constructor(status, body) {
    super((body && (body.message || body.detail)) || t("error_http", { status }));
    this.status = status;
  }
}

async function api(path, options = {}) {
  const headers = {
    Authorization: `Bearer ${view.token}`,
    "Accept-Language": language(),
    ...(options.headers || {}),
  };
  let response;
  try {
    response = await fetch(path, { ...options, headers });
  } catch {
    throw new ApiError(0, { message: t("error_network") });
  }
  if (!response.ok) {
    let body = null;
    try { body = await response.json(); } catch { /* not JSON */ }
    throw new ApiError(response.status, body);
  }
  return response;
}

const jobPath = () => `/api/v1/redactions/${encodeURIComponent(redactionId)}`;

async function frameUrl(number, query) {
  const response = await api(`${jobPath()}/frames/${number}?${query}`);
  return URL.createObjectURL(await response.blob());
}

function setState(state) {
  document.documentElement.dataset.state = state;
}

function showError(error) {
  $("error").textContent = error.message;
  $("error").hidden = false;
}

/** A word of the catalog for a value of the server's (`prefix` + value), the value itself when the
 * catalog does not know it yet (a newer server), so nothing is hidden. */
function named(prefix, value, params = {}) {
  const key = `${prefix}${value}`;
  const text = t(key, params);
  return text === key ? String(value) : text;
}

function summary(job) {
  const state = t(`state_${job.state}_hint`, { error: job.error });
  const known = state !== `state_${job.state}_hint`;
  return t("summary", { recording: job.recording_id, state: known ? state : job.state });
}

function apply(job) {
  const first = view.job === null || view.job.video === null;
  view.job = job;
  setState(job.state);
  $("summary").textContent = summary(job);
  $("progress").value = job.progress;
  const state = named("state_", job.state);
  $("progress-text").textContent = WORKING.has(job.state)
    ? t("progress_working", { state, percent: formatPercent(job.progress) }) : state;
  $("render").disabled = job.state !== "review";
  $("add").disabled = job.state !== "review" || view.drawn === null;
  if (job.state === "done") {
    $("derivative-id").textContent = job.derivative_id;
    $("derivative-sha256").textContent = job.derivative_sha256;
    $("result").hidden = false;
  }
  if (job.video) {
    if (first) drawStrip(job.video);
    drawTracks(job);
  }
}

async function drawStrip(video) {
  const slider = $("frame-number");
  slider.max = String(video.frame_count - 1);
  const strip = $("strip");
  strip.replaceChildren();
  const count = Math.min(STRIP_FRAMES, video.frame_count);
  for (let i = 0; i < count; i += 1) {
    const number = Math.round((i * (video.frame_count - 1)) / Math.max(1, count - 1));
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.frame = String(number);
    button.title = t("frame_n", { n: formatNumber(number) });
    const img = document.createElement("img");
    img.alt = button.title;
    button.append(img);
    button.addEventListener("click", () => showFrame(number));
    strip.append(button);
    frameUrl(number, `max_side_px=${THUMB_SIDE_PX}`).then((url) => { img.src = url; }, showError);
  }
  await showFrame(0);
}

function drawTracks(job) {
  const list = $("tracks");
  list.replaceChildren();
  const total = Math.max(1, job.video.frame_count);
  const tracks = job.tracks || [];
  $("track-count").textContent = t("tracks_n", { n: tracks.length });
  for (const track of tracks) {
    const item = document.createElement("li");
    item.dataset.track = track.track_id;
    item.dataset.kind = track.kind;
    const name = document.createElement("span");
    name.className = "track-name";
    const kind = named("track_kind_", track.kind);
    name.textContent = t("track_name", {
      kind, first: formatNumber(track.first_frame), last: formatNumber(track.last_frame),
    });
    const lane = document.createElement("div");
    lane.className = "lane";
    lane.setAttribute("role", "button");
    lane.setAttribute("aria-label", t("track_show", { kind, id: track.track_id }));
    const bar = document.createElement("div");
    bar.className = `bar ${track.kind}`;
    bar.style.left = `${(100 * track.first_frame) / total}%`;
    bar.style.width = `${(100 * (track.last_frame - track.first_frame + 1)) / total}%`;
    const cursor = document.createElement("div");
    cursor.className = "cursor";
    cursor.style.left = `${(100 * view.frame) / total}%`;
    lane.append(bar, cursor);
    lane.addEventListener("click", (event) => {
      const box = lane.getBoundingClientRect();
      const at = Math.floor(((event.clientX - box.left) / box.width) * total);
      showFrame(Math.min(total - 1, Math.max(0, at)));
    });
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = t("remove");
    remove.disabled = job.state !== "review";
    remove.addEventListener("click", () => saveTracks(job.tracks.filter((other) => other !== track)));
    item.append(name, lane, remove);
    list.append(item);
  }
}

async function showFrame(number) {
  view.frame = number;
  $("frame-number").value = String(number);
  $("frame-label").textContent = formatNumber(number);
  for (const button of $("strip").children) {
    button.setAttribute("aria-current", String(Number(button.dataset.frame) === number));
  }
  if (view.job && view.job.video) drawTracks(view.job);
  const url = await frameUrl(number, "boxes=true");
  if (view.frame !== number) return; // a later frame was asked for meanwhile
  const img = $("frame");
  if (img.src.startsWith("blob:")) URL.revokeObjectURL(img.src);
  img.src = url;
  img.dataset.frame = String(number);
}

async function saveTracks(tracks) {
  try {
    const response = await api(`${jobPath()}/tracks`, {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ tracks }),
    });
    apply(await response.json());
    await showFrame(view.frame);
  } catch (error) {
    showError(error);
  }
}

function pictureBox(stage, event) {
  const rect = $("frame").getBoundingClientRect();
  const scale = view.job.video.width_px / rect.width;
  return [
    Math.max(0, Math.min(rect.width, event.clientX - rect.left)) * scale,
    Math.max(0, Math.min(rect.height, event.clientY - rect.top)) * scale,
    scale,
  ];
}

function wireDrawing() {
  const stage = $("stage");
  const drawn = $("drawn");
  let start = null;
  stage.addEventListener("pointerdown", (event) => {
    if (!view.job || view.job.state !== "review") return;
    event.preventDefault();
    start = pictureBox(stage, event);
    stage.setPointerCapture(event.pointerId);
  });
  stage.addEventListener("pointermove", (event) => {
    if (start === null) return;
    const [x, y, scale] = pictureBox(stage, event);
    const [left, top] = [Math.min(x, start[0]), Math.min(y, start[1])];
    const [width, height] = [Math.abs(x - start[0]), Math.abs(y - start[1])];
    view.drawn = [left, top, width, height].map(Math.round);
    Object.assign(drawn.style, {
      left: `${left / scale}px`, top: `${top / scale}px`,
      width: `${width / scale}px`, height: `${height / scale}px`,
    });
    drawn.hidden = false;
  });
  stage.addEventListener("pointerup", () => {
    start = null;
    if (view.drawn && (view.drawn[2] < 2 || view.drawn[3] < 2)) view.drawn = null;
    drawn.hidden = view.drawn === null;
    $("add").disabled = view.drawn === null || view.job.state !== "review";
  });
}

function addDrawnBox() {
  const job = view.job;
  const span = Math.round(Number($("span-s").value || 0) * job.video.fps);
  const last = job.video.frame_count - 1;
  const track = {
    track_id: `manual-${Date.now().toString(36)}`,
    kind: "manual",
    keyframes: [[view.frame, view.drawn]],
    first_frame: Math.max(0, view.frame - span),
    last_frame: Math.min(last, view.frame + span),
  };
  view.drawn = null;
  $("drawn").hidden = true;
  saveTracks([...(job.tracks || []), track]);
}

async function render() {
  try {
    apply(await (await api(`${jobPath()}/render`, { method: "POST" })).json());
    poll();
  } catch (error) {
    showError(error);
  }
}

async function poll() {
  try {
    const job = await (await api(jobPath())).json();
    apply(job);
    if (WORKING.has(job.state)) setTimeout(poll, POLL_MS);
  } catch (error) {
    if (error.status === 401) signOut();
    else showError(error);
  }
}

function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  view.token = null;
  $("review").hidden = true;
  $("signin").hidden = false;
  $("summary").textContent = t("summary_signed_out");
  setState("signed-out");
}

function start() {
  $("signin").hidden = true;
  $("review").hidden = false;
  $("summary").textContent = t("summary_loading");
  setState("loading");
  poll();
}

$("signin").addEventListener("submit", (event) => {
  event.preventDefault();
  view.token = $("token").value.trim();
  sessionStorage.setItem(TOKEN_KEY, view.token);
  start();
});
$("frame-number").addEventListener("change", (event) => showFrame(Number(event.target.value)));
$("add").addEventListener("click", addDrawnBox);
$("render").addEventListener("click", render);
applyStatic();
bindPicker();
wireDrawing();
if (view.token) start();
else signOut();
