// The dispatch alarm: a loud two-tone made with WebAudio (no sound file to fetch offline) and
// the tablet's vibration; a short chime for a dispatcher's note; and a falling tone repeated
// until tapped for a stand-down. Browsers allow audio only after a tap; sign-in and the sound
// button are such taps.

const TONE_HZ = [988, 740];
const TONE_STEP_S = 0.22;
const TONE_GAIN = 0.4;
const REPEATS = 3;
const VIBRATION_MS = [500, 200, 500, 200, 500];
const CHIME_HZ = 1319;
const CHIME_S = 0.18;
const STAND_DOWN_HZ = [880, 587, 392];
const STAND_DOWN_EVERY_MS = 4000;

export class Alarm {
  constructor(button) {
    this.button = button;
    this.context = null;
    this.rung = 0;
    this.chimed = 0;
    this.repeating = null;
    button.addEventListener("click", () => this.unlock());
  }

  unlock() {
    const AudioContextType = window.AudioContext ?? window.webkitAudioContext;
    if (AudioContextType === undefined) return;
    this.context ??= new AudioContextType();
    if (this.context.state === "suspended") this.context.resume().then(() => this.show(), () => this.show());
    this.show();
  }

  blocked() {
    return this.context === null || this.context.state !== "running";
  }

  vibrate() {
    // Like audio, vibration needs a tap first: before one, the browser refuses and logs it.
    if (navigator.userActivation?.hasBeenActive === false) return;
    navigator.vibrate?.(VIBRATION_MS);
  }

  show() {
    this.button.hidden = !this.blocked();
    this.button.dataset.rung = String(this.rung);
  }

  ring() {
    this.rung += 1;
    this.show();
    this.vibrate();
    const tones = [];
    for (let repeat = 0; repeat < REPEATS; repeat += 1) tones.push(...TONE_HZ);
    this.play(tones, TONE_STEP_S);
  }

  /** One short tone: a dispatcher's note arrived. */
  chime() {
    this.chimed += 1;
    this.button.dataset.chimed = String(this.chimed);
    this.play([CHIME_HZ], CHIME_S);
  }

  /** The stand-down tone now and every few seconds until `stop()` (the crew's tap). */
  repeat() {
    if (this.repeating !== null) return;
    const once = () => {
      this.rung += 1;
      this.show();
      this.vibrate();
      this.play(STAND_DOWN_HZ, TONE_STEP_S * 2);
    };
    once();
    this.repeating = setInterval(once, STAND_DOWN_EVERY_MS);
    this.button.dataset.repeating = "true";
  }

  stop() {
    clearInterval(this.repeating);
    this.repeating = null;
    this.button.dataset.repeating = "false";
  }

  play(tones, stepS) {
    if (this.blocked()) return;
    const start = this.context.currentTime;
    const gain = this.context.createGain();
    gain.connect(this.context.destination);
    tones.forEach((hz, index) => {
      const at = start + index * stepS;
      const oscillator = this.context.createOscillator();
      oscillator.type = "square";
      oscillator.frequency.value = hz;
      gain.gain.setValueAtTime(TONE_GAIN, at);
      gain.gain.exponentialRampToValueAtTime(0.001, at + stepS);
      oscillator.connect(gain);
      oscillator.start(at);
      oscillator.stop(at + stepS);
    });
  }
}
