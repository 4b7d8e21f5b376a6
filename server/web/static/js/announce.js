// Telling the dispatcher: a P1 banner (an assertive live region, so screen readers interrupt),
// quieter notices (a polite status region), and a two-tone alarm made with WebAudio: no sound
// file to download, nothing to fetch from the internet.

import { byId } from "./dom.js";

const TONE_HZ = [880, 660];
const TONE_STEP_S = 0.18;
const TONE_GAIN = 0.25;
const MIN_TONE_GAP_MS = 1500; // a burst of P1s sounds once, not as a buzz

export function announceP1(text) {
  const banner = byId("p1-banner");
  // Re-setting identical text would not be announced again: clear first, then write.
  banner.textContent = "";
  requestAnimationFrame(() => {
    banner.textContent = text;
  });
}

export function notify(text) {
  const notice = byId("notice");
  notice.textContent = "";
  requestAnimationFrame(() => {
    notice.textContent = text;
  });
}

export class Alarm {
  constructor(button) {
    this.button = button;
    this.context = null;
    this.enabled = true;
    this.played = 0;
    this.lastMs = 0;
    button.hidden = false;
    button.addEventListener("click", () => {
      if (this.blocked()) {
        this.enabled = true;
        this.unlock();
      } else {
        this.enabled = !this.enabled;
      }
      this.show();
    });
    this.show();
  }

  /** Browsers start audio only after a user gesture: call this from one (sign-in, a click). */
  unlock() {
    const AudioContextType = window.AudioContext ?? window.webkitAudioContext;
    if (AudioContextType === undefined) return;
    this.context ??= new AudioContextType();
    if (this.context.state === "suspended") this.context.resume().then(() => this.show());
    this.show();
  }

  blocked() {
    return this.context === null || this.context.state !== "running";
  }

  show() {
    const blocked = this.blocked();
    this.button.setAttribute("aria-pressed", String(this.enabled && !blocked));
    this.button.textContent = !this.enabled ? "Sound: off" : blocked ? "Sound: click to enable" : "Sound: on";
    this.button.dataset.tonesPlayed = String(this.played);
  }

  play() {
    const now = Date.now();
    if (!this.enabled || this.context === null || now - this.lastMs < MIN_TONE_GAP_MS) return;
    this.lastMs = now;
    const context = this.context;
    const start = context.currentTime;
    const gain = context.createGain();
    gain.connect(context.destination);
    TONE_HZ.forEach((hz, index) => {
      const oscillator = context.createOscillator();
      oscillator.type = "square";
      oscillator.frequency.value = hz;
      const at = start + index * TONE_STEP_S;
      gain.gain.setValueAtTime(TONE_GAIN, at);
      gain.gain.exponentialRampToValueAtTime(0.001, at + TONE_STEP_S);
      oscillator.connect(gain);
      oscillator.start(at);
      oscillator.stop(at + TONE_STEP_S);
    });
    this.played += 1;
    this.show();
  }
}
