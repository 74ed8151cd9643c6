import type { Outcome } from '../../electron/shared/ipc-contract';

/**
 * Verdict sounds generated with WebAudio (no audio files): a rising two-note chime for accepted,
 * two even notes for accepted with warnings, a low double buzz for rejected. Distinct in pitch AND
 * rhythm, so they are told apart without looking.
 */
type Note = { freq: number; start: number; dur: number; type: OscillatorType; gain: number };

const PATTERNS: Record<Outcome, Note[]> = {
  accepted: [
    { freq: 660, start: 0, dur: 0.14, type: 'sine', gain: 0.35 },
    { freq: 990, start: 0.16, dur: 0.22, type: 'sine', gain: 0.35 },
  ],
  accepted_with_warnings: [
    { freq: 587, start: 0, dur: 0.16, type: 'triangle', gain: 0.35 },
    { freq: 587, start: 0.26, dur: 0.16, type: 'triangle', gain: 0.35 },
  ],
  rejected: [
    { freq: 180, start: 0, dur: 0.3, type: 'square', gain: 0.18 },
    { freq: 150, start: 0.38, dur: 0.42, type: 'square', gain: 0.18 },
  ],
};

let ctx: AudioContext | undefined;

export function playVerdictSound(outcome: Outcome): void {
  try {
    ctx ??= new AudioContext();
    if (ctx.state === 'suspended') void ctx.resume();
    const t0 = ctx.currentTime + 0.02;
    for (const n of PATTERNS[outcome]) {
      const osc = ctx.createOscillator();
      const g = ctx.createGain();
      osc.type = n.type;
      osc.frequency.value = n.freq;
      // Short attack and release: no clicks.
      g.gain.setValueAtTime(0, t0 + n.start);
      g.gain.linearRampToValueAtTime(n.gain, t0 + n.start + 0.015);
      g.gain.setValueAtTime(n.gain, t0 + n.start + n.dur - 0.03);
      g.gain.linearRampToValueAtTime(0, t0 + n.start + n.dur);
      osc.connect(g).connect(ctx.destination);
      osc.start(t0 + n.start);
      osc.stop(t0 + n.start + n.dur + 0.01);
    }
  } catch {
    // No audio device: the screen still says everything.
  }
}
