/**
 * The local participant's media while joined: the microphone and camera tracks, their mute
 * state. The optional controls (device switching and loss, the screen share,
 * the bitrate cap and presets) are standalone functions in `media-controls.ts` working on this
 * controller, so that an app which does not import them does not ship them. Every change
 * reaches the publisher through `RTCRtpSender.replaceTrack` or `setParameters` (webrtc-pc
 * section 5.2), never through a new offer.
 *
 * The room learns of a mute change through our `setMediaState` message, sent by the client
 * on each change while connected, and after every join and re-join when something is muted
 * (a restarted server forgets). Kurento's servers ignore the message; an `error` reply to it
 * is emitted once per `join()`, later ones only logged.
 *
 * @packageDocumentation
 */
import { openMedia, stopStream } from './media.js';
import type { Emit } from './monitor.js';
import type { Member } from './participant.js';
import type { Outgoing } from './peer.js';
import type { LocalMediaState, MediaKind } from './media-types.js';

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
  /** What the publisher sends, one m-line each, fixed at `open()` so that no change renegotiates. */
  /** @internal */
  kinds: MediaKind[] = [];
  /** @internal */
  stopped = false;
  readonly #me: Member;
  /**
   * @param me The local participant's record; its `audioMuted` and `videoMuted` are the state.
   * @param sender The publisher's sender for a kind, if it has one now.
   * @param changed Called after the mute (`mute` true) or screen-share state changed.
   */
  constructor(
    me: Member,
    /** @internal */ readonly settings: MediaSettings,
    /** @internal */ readonly sender: (kind: MediaKind) => RTCRtpSender | undefined,
    /** @internal */ readonly emit: Emit,
    /** @internal */ readonly changed: (mute?: boolean) => void,
  ) {
    this.#me = me;
  }

  /** The mute and screen-share state. */
  get state(): LocalMediaState {
    const { audioMuted, videoMuted } = this.#me;
    return { audioMuted, videoMuted, screenSharing: !!this.screen };
  }

  /**
   * Opens the camera and microphone with the settings' constraints. Resolves true when opened, false when there is nothing to open or
   * {@link LocalMedia.stop} came first; rejects with a `MediaAccessError`.
   */
  async open(): Promise<boolean> {
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
