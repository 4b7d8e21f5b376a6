// Telling the dispatcher: spoken announcements (an assertive live region, so screen readers
// interrupt; what stays on screen is the P1 banner, banner.js), quieter notices (a polite status
// region), and a two-tone alarm made with WebAudio: no sound file to download, nothing to fetch
// from the internet. The alarm repeats while something needs the dispatcher, and a browser that
// blocks audio (no user gesture yet, e.g. after a reload) gets a full-width bar to enable it.

import { byId } from "./dom.js";
import { t } from "./i18n.js";

const TONE_HZ = [880, 660];
const TONE_STEP_S = 0.18;
const TONE_GAIN = 0.25;
const MIN_TONE_GAP_MS = 1500; // a burst of P1s sounds once, not as a buzz
const REPEAT_MS = 4000; // while a P1 waits for a crew, the tone comes back this often

export function announce(text) {
  const region = byId("announce");
  // Re-setting identical text would not be announced again: clear first, then write.
  region.textContent = "";
  requestAnimationFrame(() => {
    region.textContent = text;
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
  constructor(button, blockedBar) {
    this.button = button;
    this.blockedBar = blockedBar;
    this.context = null;
    this.enabled = true;
    this.armed = false; // signed in: from now on a blocked alarm is worth a warning
    this.ringing = false;
    this.played = 0;
    this.lastMs = 0;
    button.hidden = false;
    blockedBar.querySelector("button").addEventListener("click", () => {
      this.enabled = true;
      this.unlock();
    });
    // Any click (a key on a button clicks too) is a gesture that lets audio start: take the
    // first one. Capturing runs before the button's own handler, which still sees "blocked".
    document.addEventListener("click", () => this.blocked() && this.unlock(), { capture: true });
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
    if (this.context === null) {
      this.context = new AudioContextType();
      this.context.addEventListener("statechange", () => this.show());
    }
    if (this.context.state === "suspended") this.context.resume().then(() => this.show());
    this.show();
  }

  /** Signed in: try to start audio now (allowed when the browser remembers a gesture). */
  arm() {
    this.armed = true;
    this.unlock();
    this.show();
  }

  blocked() {
    return this.context === null || this.context.state !== "running";
  }

  show() {
    const blocked = this.blocked();
    this.button.setAttribute("aria-pressed", String(this.enabled && !blocked));
    this.button.textContent = t(!this.enabled ? "sound_off" : blocked ? "sound_click_to_enable" : "sound_on");
    this.button.dataset.tonesPlayed = String(this.played);
    this.button.dataset.ringing = String(this.ringing);
    this.blockedBar.hidden = !(this.armed && this.enabled && blocked);
  }

  /** Called every tick: while `on`, the tone repeats every REPEAT_MS. */
  keepRinging(on) {
    if (on !== this.ringing) {
      this.ringing = on;
      this.show();
    }
    if (on && Date.now() - this.lastMs >= REPEAT_MS) this.play();
  }

  play() {
    const now = Date.now();
    if (!this.enabled || this.blocked() || now - this.lastMs < MIN_TONE_GAP_MS) return;
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
