/**
 * The local participant's media while joined: opening the microphone and camera (in
 * parallel with signaling; `localStreamAdded`, or `error` with a `MediaAccessError`), their
 * tracks and their mute state (`localMediaStateChanged`). The optional controls (device switching and loss, the screen share,
 * the bitrate cap and presets) are standalone functions in `media-controls.ts` working on this
 * controller, so that an app which does not import them does not ship them. Every change
 * reaches the publisher through `RTCRtpSender.replaceTrack` or `setParameters` (webrtc-pc
 * section 5.2), never through a new offer.
 *
 * The room learns of a mute change through our `setMediaState` message, sent on each change
 * while connected, and after every join and re-join when something is muted (a restarted
 * server forgets, and a newcomer must see it at once). Kurento's servers ignore the message;
 * an `error` reply to it is emitted once per `join()`, later ones only logged.
 *
 * @packageDocumentation
 */
import type { RoomError } from './errors.js';
import { clientLog as log } from './log.js';
import { openMedia, stopStream } from './media.js';
import type { Emit } from './monitor.js';
import type { Member } from './participant.js';
import type { Outgoing } from './peer.js';
import type { LocalMediaState, MediaKind } from './media-types.js';
import type { SetMediaStateMessage } from '../protocol/messages.js';

const KINDS: readonly MediaKind[] = ['audio', 'video'];

/** The client's media settings, shared with its {@link LocalMedia} so that later changes apply to it. */
export interface MediaSettings {
  /** What the camera and microphone open with; `false` publishes nothing. */
  media: MediaStreamConstraints | false;
  /** What opens them (`RoomClientOptions.getUserMedia`); undefined for getUserMedia. */
  open?: (constraints: MediaStreamConstraints) => Promise<MediaStream>;
  /** The video bitrate cap, in bps; undefined for none. */
  maxBitrate?: number;
  /** Called after the camera was turned off (`off`) or on; set by `stopCameraWhenOff()`. */
  cameraOff?: (media: LocalMedia, off: boolean) => Promise<void>;
  /** Called when a device track ends on its own (its device went away); set by `followDevices()`. */
  lost?: (media: LocalMedia, kind: MediaKind, track: MediaStreamTrack) => void;
}

/**
 * One join's camera and microphone. Mute is `track.enabled = false` (Media Capture and
 * Streams, #dom-mediastreamtrack-enabled): the publisher keeps sending, silence and black
 * frames, so no peer connection notices a change, ours or a subscriber's (whose stall
 * watchdog would take missing frames for a broken SFU). Operations that open devices
 * (in `media-controls.ts`) run one at a time; after {@link LocalMedia.stop} they do nothing
 * and stop what they opened.
 */
export class LocalMedia {
  /** What is sent, updated in place: the microphone, and the screen while sharing or else the camera. */
  readonly stream = new MediaStream();
  /**
   * The microphone and camera tracks; null before `open()`, or after a device loss with no
   * fallback. While `stopCameraWhenOff()` has the camera stopped, `video` is a track of black frames.
   */
  /** @internal */
  readonly tracks: Record<MediaKind, MediaStreamTrack | null> = {
    audio: null,
    video: null,
  };
  /** @internal The screen while sharing (see `startScreenShare()` in `media-controls.ts`). */
  screen: MediaStreamTrack | null = null;
  /** What the publisher sends, one m-line each, fixed at `start()` so that no change renegotiates. */
  /** @internal */
  kinds: MediaKind[] = [];
  /** @internal */
  stopped = false;
  readonly #me: Member;
  readonly #send: (message: SetMediaStateMessage) => void;
  /** The room refused a `setMediaState` during this join: later refusals are not emitted. */
  #refused = false;
  /**
   * @param me The local participant's record: its `audioMuted` and `videoMuted` are the
   *   state, its `stream` is set once the camera is open, its `peer` is the publisher.
   * @param send Sends `setMediaState` to the room when connected (else drops it).
   */
  constructor(
    me: Member,
    /** @internal */ readonly settings: MediaSettings,
    /** @internal */ readonly emit: Emit,
    send: (message: SetMediaStateMessage) => void,
  ) {
    this.#me = me;
    this.#send = send;
  }

  /** The mute and screen-share state. */
  get state(): LocalMediaState {
    const { audioMuted, videoMuted } = this.#me;
    return { audioMuted, videoMuted, screenSharing: !!this.screen };
  }

  /**
   * Opens the camera and microphone (in parallel with signaling), then sets the local
   * participant's `stream`, emits `localStreamAdded` and calls `publish`. A failure emits
   * `error` with the `MediaAccessError` (the client stays receive-only), unless
   * {@link LocalMedia.stop} came first; never rejects.
   */
  async start(publish: () => void): Promise<void> {
    try {
      if (!(await this.#open())) return; // Nothing to open, or stopped meanwhile.
    } catch (error) {
      if (!this.stopped) this.emit('error', error as RoomError);
      return;
    }
    this.#me.stream = this.stream;
    this.emit('localStreamAdded', this.stream);
    publish();
  }

  /**
   * Opens the camera and microphone with the settings' constraints. Resolves true when
   * opened, false when there is nothing to open or {@link LocalMedia.stop} came first;
   * rejects with a `MediaAccessError`.
   */
  async #open(): Promise<boolean> {
    const { media, open } = this.settings;
    if (!media) return false;
    const stream = await openMedia(media, open);
    if (this.stopped) {
      stopStream(stream);
      return false;
    }
    for (const track of stream.getTracks()) {
      const kind = track.kind as MediaKind;
      this.adopt(kind, track);
      this.stream.addTrack(track);
    }
    this.kinds = KINDS.filter((kind) => this.tracks[kind]);
    // Turned off while it opened: the settings' cameraOff acts now that there is a camera.
    if (this.#me.videoMuted) this.settings.cameraOff?.(this, true).catch(() => {});
    return true;
  }

  /** The publisher's transceivers: each kind's track now, and the video bitrate cap. */
  outgoing(): Outgoing {
    const { maxBitrate } = this.settings;
    return {
      stream: this.stream,
      tracks: this.kinds.map((kind) => ({
        kind,
        track: this.sent(kind),
        maxBitrate: kind === 'video' ? maxBitrate : undefined,
      })),
    };
  }

  /**
   * Mutes or unmutes `kind` (`track.enabled`); the state holds for tracks opened later too.
   * For the camera, then runs the settings' `cameraOff`, if any, and settles with it.
   */
  async setMuted(kind: MediaKind, muted: boolean): Promise<void> {
    const key = kind === 'audio' ? 'audioMuted' : 'videoMuted';
    if (this.#me[key] === muted) return;
    this.#me[key] = muted;
    const track = this.tracks[kind];
    if (track) track.enabled = !muted;
    this.changed(true);
    if (kind === 'video') await this.settings.cameraOff?.(this, muted);
  }

  /** Stops every track (idempotent); nothing is opened afterwards. */
  stop(): void {
    this.stopped = true;
    for (const track of [this.tracks.audio, this.tracks.video, this.screen]) {
      if (track) track.onended = null;
      track?.stop();
    }
  }

  /** Tells the room our mute state (`setMediaState`). */
  #tell(): void {
    const { audioMuted, videoMuted } = this.#me;
    this.#send({ id: 'setMediaState', audioMuted, videoMuted });
  }

  /**
   * @internal The mute (`mute` true) or screen-share state changed: emits
   * `localMediaStateChanged`, and has the client tell the room of a mute change. Nothing
   * once stopped.
   */
  changed(mute?: boolean): void {
    if (this.stopped) return;
    this.emit('localMediaStateChanged', this.state);
    if (mute) this.#tell();
  }

  /** The room answered a join or re-join: tells it our mute state if something is muted. */
  joined(): void {
    if (this.#me.audioMuted || this.#me.videoMuted) this.#tell();
  }

  /** An `error` reply to our `setMediaState`: emitted once per join, later ones only logged. */
  refused(error: RoomError): void {
    if (!this.#refused) this.emit('error', error);
    else log.debug('setMediaState refused again:', error.message);
    this.#refused = true;
  }

  /** @internal The publisher's sender for `kind`, if it has one now. */
  sender(kind: MediaKind): RTCRtpSender | undefined {
    return this.#me.peer?.sender(kind);
  }

  /** @internal What is sent for `kind`: the screen while sharing, else the device's track. */
  sent(kind: MediaKind): MediaStreamTrack | null {
    return (kind === 'video' && this.screen) || this.tracks[kind];
  }

  /**
   * @internal Makes `track` the device track of `kind`, muted as the state says; its `ended`
   * (the device went away) goes to the settings' `lost`, if any.
   */
  adopt(kind: MediaKind, track: MediaStreamTrack): void {
    track.enabled = !(kind === 'audio' ? this.#me.audioMuted : this.#me.videoMuted);
    track.onended = () => this.settings.lost?.(this, kind, track);
    this.tracks[kind] = track;
  }
}
