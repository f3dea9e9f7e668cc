/**
 * The pre-join screen's media: a Lit reactive controller that opens the camera and
 * microphone before joining, lists the devices, meters the microphone, and says what the
 * element should join with ({@link MediaPreview.choice}).
 *
 * @packageDocumentation
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { InvalidStateError, KIND_DEVICE, MediaAccessError } from '../core/errors.js';
import { DEFAULT_MEDIA, mediaDevices, stopStream } from '../core/media.js';
import { blackFrames } from '../controls/black-frames.js';
import type { InputKind, MediaKind } from '../core/types.js';
import { SerialQueue } from '../protocol/serial-queue.js';
import { LevelMeter } from './level-meter.js';

/** The input devices, by kind, in `enumerateDevices()` order. */
export interface PreviewDevices {
  audioinput: MediaDeviceInfo[];
  videoinput: MediaDeviceInfo[];
}

/** What to join with, from {@link MediaPreview.choice}. */
export interface PreviewChoice {
  /** The `media` option for the client: the base constraints with the chosen `deviceId: {exact}`; a kind that could not be opened is `false`, and both `false` is `false` (receive-only). */
  media: MediaStreamConstraints | false;
  /** Join with the microphone on (`false`: call `setMicrophoneEnabled(false)` once joined). */
  audioEnabled: boolean;
  /** Join with the camera on (`false`: call `setCameraEnabled(false)` once joined). */
  videoEnabled: boolean;
}

/** The preview's tracks handed to a client, from {@link MediaPreview.handOver}. */
export interface HandOver {
  /**
   * For `RoomClientOptions.getUserMedia`: its first call returns the handed tracks of the
   * kinds asked for (opening any kind asked for that the preview lacks; stopping the handed
   * ones not asked for); later calls open devices with getUserMedia.
   */
  open(constraints: MediaStreamConstraints): Promise<MediaStream>;
  /** Stops the handed tracks if no call took them (safe to call any time, and twice). */
  release(): void;
}

const KINDS: readonly MediaKind[] = ['audio', 'video'];

function kindOf(kind: InputKind): MediaKind {
  if (kind !== 'audioinput' && kind !== 'videoinput') {
    throw new InvalidStateError('arguments', 'Invalid kind.');
  }
  return kind === 'audioinput' ? 'audio' : 'video';
}

/**
 * The camera and microphone of a pre-join screen. Every change of its state re-renders the
 * host. `start()`, `selectDevice()`, the toggles and `stop()` run one at a time in call
 * order; `stop()` also discards whatever an earlier call is still opening (its tracks are
 * stopped as they arrive). None rejects because a device failed: the failure is in
 * {@link MediaPreview.errors} and the other kind stays usable. The host's
 * `hostDisconnected()` stops it; starting again is the host's call.
 */
export class MediaPreview implements ReactiveController {
  /** The preview: the open microphone and camera tracks, replaced in place (a `<video>` showing it keeps playing); null when stopped. */
  stream: MediaStream | null = null;
  /** The microphones and cameras (`enumerateDevices()`, Media Capture and Streams #enumerating-devices), labelled once a device was opened; refreshed on `devicechange`. */
  devices: PreviewDevices = { audioinput: [], videoinput: [] };
  /** The microphone in use or chosen (`deviceId`); '' for the default before one opened. */
  audioDeviceId = '';
  /** The camera in use or chosen (`deviceId`); '' for the default before one opened. */
  videoDeviceId = '';
  /** The microphone toggle: off disables the track (`enabled = false`, silence). Set through {@link setMicrophoneEnabled}. */
  audioEnabled = true;
  /** The camera toggle: off stops the camera track (the camera light goes off). Set through {@link setCameraEnabled}. */
  videoEnabled = true;
  /** The microphone level, 0..1 (RMS over ~43 ms, 0 at -60 dBFS and below, 1 at full scale), sampled 10 times a second; 0 while off or closed. */
  level = 0;
  /** Why a kind could not be opened (`denied`, `no-device`, `unavailable`), or null; cleared when it opens. */
  errors: Record<MediaKind, MediaAccessError | null> = { audio: null, video: null };

  readonly #host: ReactiveControllerHost;
  readonly #constraints: () => MediaStreamConstraints | false | undefined;
  readonly #queue = new SerialQueue();
  /** Bumped by `stop()`: work begun before it discards what it opens. */
  #epoch = 0;
  #started = false;
  #meter: LevelMeter | null = null;

  /**
   * @param host The element; it re-renders on every change.
   * @param constraints The element's `media` option, read at each open: getUserMedia
   *   constraints, `false` for nothing, undefined for camera and microphone.
   */
  constructor(
    host: ReactiveControllerHost,
    constraints: () => MediaStreamConstraints | false | undefined = () => DEFAULT_MEDIA,
  ) {
    this.#host = host;
    this.#constraints = constraints;
    host.addController(this);
  }

  /** The first failure, the camera's before the microphone's; null when both opened. */
  get error(): MediaAccessError | null {
    return this.errors.video ?? this.errors.audio;
  }

  /** `ReactiveController`: nothing, the host decides when to start. */
  hostConnected(): void {}

  /** `ReactiveController`: stops the preview when the host leaves the page. */
  hostDisconnected(): void {
    void this.stop();
  }

  /**
   * Opens the camera and microphone the constraints ask for (getUserMedia, together, then
   * one by one if that fails, so that one failing device does not cost the other), the chosen
   * devices as `deviceId: {exact}`; then lists the devices and follows `devicechange`.
   * Resolves at once when started.
   */
  start(): Promise<void> {
    return this.#run(async (epoch) => {
      if (this.#started) return;
      this.#started = true;
      this.errors = { audio: null, video: null };
      this.stream = new MediaStream();
      await this.#open(
        KINDS.filter((kind) => this.#wanted(kind)),
        epoch,
      );
      if (epoch !== this.#epoch) return;
      navigator.mediaDevices?.addEventListener('devicechange', this.#deviceChange);
      await this.#enumerate();
    });
  }

  /**
   * Stops every track, closes the AudioContext and stops following `devicechange`; what an
   * earlier call is still opening is stopped when it arrives. Safe to call twice.
   */
  stop(): Promise<void> {
    return this.#end();
  }

  /**
   * Ends the preview as {@link stop} does but keeps its tracks live for a client to publish,
   * so that joining neither reopens the camera (the light stays on, no second prompt) nor
   * waits for it: resolves with the {@link HandOver}, or null when no track was open. With
   * the camera toggle off, the camera asked for is black frames instead (it stays closed
   * until turned on in the call; see `stopCameraWhenOff`).
   */
  async handOver(): Promise<HandOver | null> {
    let held: MediaStreamTrack[] | null = this.stream?.getTracks() ?? [];
    this.stream = null; // Now #end stops nothing.
    await this.#end();
    held = held.filter((track) => track.readyState === 'live');
    if (!this.videoEnabled) held.push(blackFrames(640, 480));
    if (!held.length) return null;
    const release = () => {
      for (const track of held ?? []) track.stop();
      held = null;
    };
    return {
      release,
      open: async (constraints) => {
        const mine = held;
        held = null;
        if (!mine) return mediaDevices().getUserMedia(constraints);
        const taken = mine.filter((track) => constraints[track.kind as MediaKind]);
        for (const track of mine) if (!taken.includes(track)) track.stop();
        const missing = KINDS.filter((k) => constraints[k] && !taken.some((t) => t.kind === k));
        if (missing.length) {
          const wanted = Object.fromEntries(missing.map((k) => [k, constraints[k]]));
          try {
            taken.push(...(await mediaDevices().getUserMedia(wanted)).getTracks());
          } catch (error) {
            for (const track of taken) track.stop();
            throw error;
          }
        }
        return new MediaStream(taken);
      },
    };
  }

  /** Stops the preview and the tracks of {@link stream}. */
  #end(): Promise<void> {
    this.#epoch += 1;
    return this.#run(async () => {
      this.#started = false;
      navigator.mediaDevices?.removeEventListener('devicechange', this.#deviceChange);
      if (this.stream) stopStream(this.stream);
      this.stream = null;
      this.level = 0;
      const meter = this.#meter;
      this.#meter = null;
      await meter?.close();
    });
  }

  /**
   * Uses the device `deviceId` (from {@link devices}) for `kind`: opens it alone
   * (`deviceId: {exact}`), puts its track in {@link stream} in place of the old one and
   * stops the old one. When the kind is not open (stopped, camera off), only records the
   * choice. When it fails, the old track stays and {@link errors} says why. Rejects with
   * `InvalidStateError('arguments')` for an unknown kind or an empty `deviceId`.
   */
  selectDevice(kind: InputKind, deviceId: string): Promise<void> {
    let media: MediaKind;
    try {
      media = kindOf(kind);
      if (!deviceId || typeof deviceId !== 'string') {
        throw new InvalidStateError('arguments', 'Invalid deviceId.');
      }
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#run(async (epoch) => {
      if (!this.#track(media)) {
        this.#setDevice(media, deviceId);
        return this.#sync(media, epoch);
      }
      await this.#open([media], epoch, deviceId);
    });
  }

  /** The microphone toggle: disables or enables the microphone track; the level reads 0 while off. */
  setMicrophoneEnabled(enabled: boolean): Promise<void> {
    this.audioEnabled = !!enabled;
    const track = this.#track('audio');
    if (track) track.enabled = this.audioEnabled;
    this.#sample();
    return this.#run(async () => {});
  }

  /** The camera toggle: off stops the camera track (the light goes off); on opens the chosen camera again. */
  setCameraEnabled(enabled: boolean): Promise<void> {
    this.videoEnabled = !!enabled;
    return this.#run((epoch) => this.#sync('video', epoch));
  }

  /** What to join with: see {@link PreviewChoice}. */
  choice(): PreviewChoice {
    const base = this.#base();
    const media = base && {
      ...base,
      audio: this.#usable('audio') && this.#constraint('audio', this.audioDeviceId),
      video: this.#usable('video') && this.#constraint('video', this.videoDeviceId),
    };
    return {
      media: media && (media.audio || media.video) ? media : false,
      audioEnabled: this.audioEnabled,
      videoEnabled: this.videoEnabled,
    };
  }

  // ---------------------------------------------------------------- internals

  /** Runs `task` after the calls before it, unless `stop()` came since it was queued (the epoch check); then re-renders. */
  #run(task: (epoch: number) => Promise<void>): Promise<void> {
    const epoch = this.#epoch;
    return this.#queue
      .run(() => (epoch === this.#epoch ? task(epoch) : undefined))
      .finally(() => this.#host.requestUpdate());
  }

  #base(): MediaStreamConstraints | false {
    return this.#constraints() ?? DEFAULT_MEDIA;
  }

  #track(kind: MediaKind): MediaStreamTrack | undefined {
    return this.stream?.getTracks().find((track) => track.kind === kind);
  }

  /** Whether `kind` should be open now. */
  #wanted(kind: MediaKind): boolean {
    const base = this.#base();
    return this.#started && !!base && !!base[kind] && (kind === 'audio' || this.videoEnabled);
  }

  /** Whether joining should ask for `kind`: asked for, and not failed without a track left. */
  #usable(kind: MediaKind): boolean {
    return !this.errors[kind] || !!this.#track(kind);
  }

  /** The base constraints of `kind` with `deviceId: {exact}`, or `false` when not asked for. */
  #constraint(kind: MediaKind, deviceId: string): boolean | MediaTrackConstraints {
    const base = this.#base();
    const wanted = base && base[kind];
    if (!wanted) return false;
    if (!deviceId) return wanted;
    return { ...(typeof wanted === 'object' && wanted), deviceId: { exact: deviceId } };
  }

  #setDevice(kind: MediaKind, deviceId: string): void {
    if (kind === 'audio') this.audioDeviceId = deviceId;
    else this.videoDeviceId = deviceId;
  }

  /** Opens or stops `kind` to match {@link #wanted}. */
  async #sync(kind: MediaKind, epoch: number): Promise<void> {
    const track = this.#track(kind);
    if (!this.#wanted(kind)) {
      if (track) this.#drop(track);
    } else if (!track) {
      await this.#open([kind], epoch);
    }
  }

  /**
   * Opens `kinds` (one getUserMedia; one by one when that fails) on the chosen devices, or on
   * `deviceId` for a single kind, and adopts the tracks; records each failure in `errors`.
   */
  async #open(kinds: MediaKind[], epoch: number, deviceId?: string): Promise<void> {
    if (!kinds.length) return;
    const request: MediaStreamConstraints = {};
    for (const kind of kinds) {
      request[kind] = this.#constraint(
        kind,
        deviceId ?? (kind === 'audio' ? this.audioDeviceId : this.videoDeviceId),
      );
    }
    let stream: MediaStream;
    try {
      stream = await mediaDevices().getUserMedia(request);
    } catch (error) {
      if (kinds.length > 1) {
        for (const kind of kinds) await this.#open([kind], epoch);
      } else if (epoch === this.#epoch) {
        this.errors[kinds[0]] =
          error instanceof MediaAccessError
            ? error
            : MediaAccessError.from(error, KIND_DEVICE[kinds[0]]);
      }
      return;
    }
    if (epoch !== this.#epoch) return stopStream(stream);
    for (const track of stream.getTracks()) this.#adopt(track);
  }

  /** Puts `track` into the preview in place of the one of its kind, which is stopped. */
  #adopt(track: MediaStreamTrack): void {
    const kind = track.kind as MediaKind;
    const old = this.#track(kind);
    this.stream!.addTrack(track);
    if (old) this.#drop(old);
    this.errors[kind] = null;
    this.#setDevice(kind, track.getSettings().deviceId ?? '');
    if (kind === 'audio') {
      track.enabled = this.audioEnabled;
      this.#listen(track);
    }
  }

  /** Removes `track` from the preview and stops it. */
  #drop(track: MediaStreamTrack): void {
    this.stream?.removeTrack(track);
    track.stop();
    if (track.kind === 'audio') this.#sample();
  }

  /** Meters `track` (see `level-meter.ts`; one AudioContext for the preview's life). */
  #listen(track: MediaStreamTrack): void {
    (this.#meter ??= new LevelMeter(() => this.#sample())).listen(track);
  }

  /** Reads the level now (0 while the microphone is off or closed); re-renders the host when it changed. */
  #sample(): void {
    const meter = this.#meter;
    const track = this.#track('audio');
    const level = meter && track?.enabled && track.readyState === 'live' ? meter.read() : 0;
    if (level === this.level) return;
    this.level = level;
    this.#host.requestUpdate();
  }

  async #enumerate(): Promise<void> {
    const list = (await navigator.mediaDevices?.enumerateDevices()) ?? [];
    this.devices = {
      audioinput: list.filter((device) => device.kind === 'audioinput'),
      videoinput: list.filter((device) => device.kind === 'videoinput'),
    };
  }

  /** `devicechange`: lists the devices again; a device in use that is gone is replaced by the default one. */
  readonly #deviceChange = (): void => {
    void this.#run(async (epoch) => {
      await this.#enumerate();
      for (const kind of KINDS) {
        const id = kind === 'audio' ? this.audioDeviceId : this.videoDeviceId;
        const track = this.#track(kind);
        if (track && !this.devices[`${kind}input`].some((device) => device.deviceId === id)) {
          this.#setDevice(kind, '');
          this.#drop(track);
          await this.#sync(kind, epoch);
        }
      }
    });
  };
}
