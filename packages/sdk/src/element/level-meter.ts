/**
 * The pre-join screen's microphone level meter: a Web Audio `AnalyserNode` on the microphone
 * track (Web Audio API, `AnalyserNode.getFloatTimeDomainData`), read as an RMS level in
 * dBFS and mapped to 0..1.
 *
 * @packageDocumentation
 */

/** How often the microphone level is sampled, in ms (10 times a second). */
const SAMPLE_MS = 100;
/** The meter's range, in dB below full scale: quieter reads 0, full scale reads 1. */
const RANGE_DB = 60;

/** One `AudioContext` metering one track at a time, for the preview's life. */
export class LevelMeter {
  readonly #context = new AudioContext();
  readonly #analyser = this.#context.createAnalyser();
  readonly #samples: Float32Array<ArrayBuffer>;
  readonly #timer: ReturnType<typeof setInterval>;
  #source: MediaStreamAudioSourceNode | null = null;

  /** @param tick Called every `SAMPLE_MS` (100 ms) until {@link LevelMeter.close}, to {@link LevelMeter.read} the level. */
  constructor(tick: () => void) {
    this.#analyser.fftSize = 2048;
    this.#samples = new Float32Array(this.#analyser.fftSize);
    this.#timer = setInterval(tick, SAMPLE_MS);
  }

  /** Meters `track` (an audio track) in place of the one before. */
  listen(track: MediaStreamTrack): void {
    this.#source?.disconnect();
    this.#source = this.#context.createMediaStreamSource(new MediaStream([track]));
    this.#source.connect(this.#analyser);
  }

  /**
   * The level now, 0..1: the RMS over the last 2048 samples (~43 ms at 48 kHz), 0 at -60 dBFS
   * and below, 1 at full scale, rounded to hundredths.
   */
  read(): number {
    // Created before any user gesture, the context starts suspended (autoplay policy);
    // resume it once the page has had one, so that no warning repeats meanwhile.
    if (this.#context.state === 'suspended' && navigator.userActivation?.hasBeenActive) {
      void this.#context.resume().catch(() => {});
    }
    this.#analyser.getFloatTimeDomainData(this.#samples);
    let sum = 0;
    for (const value of this.#samples) sum += value * value;
    const db = 10 * Math.log10(sum / this.#samples.length);
    return Math.round(Math.min(1, Math.max(0, 1 + db / RANGE_DB)) * 100) / 100;
  }

  /** Stops sampling and closes the `AudioContext`. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#context.close().catch(() => {});
  }
}
