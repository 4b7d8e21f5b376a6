// The dispatch alarm: a loud two-tone made with WebAudio (no sound file to fetch offline) and
// the tablet's vibration. Browsers allow audio only after a tap; sign-in and the sound button
// are such taps.

const TONE_HZ = [988, 740];
const TONE_STEP_S = 0.22;
const TONE_GAIN = 0.4;
const REPEATS = 3;
const VIBRATION_MS = [500, 200, 500, 200, 500];

export class Alarm {
  constructor(button) {
    this.button = button;
    this.context = null;
    this.rung = 0;
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

  show() {
    this.button.hidden = !this.blocked();
    this.button.dataset.rung = String(this.rung);
  }

  ring() {
    this.rung += 1;
    this.show();
    navigator.vibrate?.(VIBRATION_MS);
    if (this.blocked()) return;
    const start = this.context.currentTime;
    const gain = this.context.createGain();
    gain.connect(this.context.destination);
    for (let repeat = 0; repeat < REPEATS; repeat += 1) {
      TONE_HZ.forEach((hz, index) => {
        const at = start + (repeat * TONE_HZ.length + index) * TONE_STEP_S;
        const oscillator = this.context.createOscillator();
        oscillator.type = "square";
        oscillator.frequency.value = hz;
        gain.gain.setValueAtTime(TONE_GAIN, at);
        gain.gain.exponentialRampToValueAtTime(0.001, at + TONE_STEP_S);
        oscillator.connect(gain);
        oscillator.start(at);
        oscillator.stop(at + TONE_STEP_S);
      });
    }
  }
}
