/**
 * A Lit reactive controller that owns a {@link RoomClient} for its host element:
 * creates it on `join()`, re-renders the host on every client event, re-dispatches
 * those events as DOM events on the host, and leaves the room (closes the client)
 * when the host is removed from the page.
 *
 * @packageDocumentation
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { activeSpeaker } from '../controls/active-speaker.js';
import { detachMedia } from './attach-media.js';
import { followDevices, stopCameraWhenOff } from '../controls/media-controls.js';
import { connectionQuality } from '../controls/quality.js';
import { RoomClient } from '../core/room-client.js';
import type { RoomLayout } from './room-layout.js';
import type {
  ConnectionQuality,
  ConnectionState,
  InputKind,
  LocalMediaState,
  MediaMuteState,
  Participant,
  PeerRestartReason,
  PeerState,
  RoomClientEvents,
  RoomClientOptions,
} from '../core/types.js';
import { InvalidStateError, NegotiationError, RoomError } from '../core/errors.js';
import type { JoinAttempt } from './room-status.js';

/**
 * The `detail` of each DOM event the host dispatches, by event name. Every event
 * bubbles and is composed; each mirrors the {@link RoomClientEvents} entry of the
 * same name in camelCase (`room-error` mirrors `error`).
 */
export interface RoomEventDetails {
  'connection-state-changed': { state: ConnectionState; previous: ConnectionState };
  'participant-joined': { participant: Participant };
  'participant-left': { participant: Participant };
  'remote-stream-added': { participant: Participant; stream: MediaStream };
  'remote-stream-removed': { participant: Participant; stream: MediaStream };
  'local-stream-added': { stream: MediaStream };
  'local-stream-removed': { stream: MediaStream };
  'peer-state-changed': { participant: Participant; state: PeerState };
  reconnecting: { reason: RoomError };
  reconnected: Record<string, never>;
  'peer-restarted': { participant: Participant; reason: PeerRestartReason };
  'room-error': { error: RoomError };
  'local-media-state-changed': { state: LocalMediaState };
  'remote-media-state-changed': { participant: Participant; state: MediaMuteState };
  'active-speaker-changed': { participant: Participant | null };
  'speaking-changed': { participant: Participant; speaking: boolean };
  'connection-quality-changed': { participant: Participant; quality: ConnectionQuality };
  'screen-share-changed': { active: boolean };
  'device-lost': { kind: InputKind; deviceId: string };
  'active-device-changed': { kind: InputKind; deviceId: string };
  'playback-blocked': Record<string, never>;
  'playback-started': Record<string, never>;
  /** Not from the client: the user switched the layout (the layout button, or a pin). */
  'layout-changed': { layout: RoomLayout };
}

/** Client events that only re-render (the track changed in place; nothing for the page). */
type RenderOnlyEvent = 'localTrackReplaced';
type ForwardedEvent = Exclude<keyof RoomClientEvents, 'error' | RenderOnlyEvent>;
type Forwarders = {
  [E in ForwardedEvent]: (
    ...args: Parameters<RoomClientEvents[E]>
  ) => [keyof RoomEventDetails, RoomEventDetails[keyof RoomEventDetails]];
};

/** How each client event becomes a DOM event (`error` goes through the status line first). */
const FORWARD: Forwarders = {
  connectionStateChanged: (state, previous) => ['connection-state-changed', { state, previous }],
  participantJoined: (participant) => ['participant-joined', { participant }],
  participantLeft: (participant) => ['participant-left', { participant }],
  remoteStreamAdded: (participant, stream) => ['remote-stream-added', { participant, stream }],
  remoteStreamRemoved: (participant, stream) => ['remote-stream-removed', { participant, stream }],
  localStreamAdded: (stream) => ['local-stream-added', { stream }],
  localStreamRemoved: (stream) => ['local-stream-removed', { stream }],
  peerStateChanged: (participant, state) => ['peer-state-changed', { participant, state }],
  reconnecting: (reason) => ['reconnecting', { reason }],
  reconnected: () => ['reconnected', {}],
  peerRestarted: (participant, reason) => ['peer-restarted', { participant, reason }],
  localMediaStateChanged: (state) => ['local-media-state-changed', { state }],
  remoteMediaStateChanged: (participant, state) => [
    'remote-media-state-changed',
    { participant, state },
  ],
  activeSpeakerChanged: (participant) => ['active-speaker-changed', { participant }],
  speakingChanged: (participant, speaking) => ['speaking-changed', { participant, speaking }],
  connectionQualityChanged: (participant, quality) => [
    'connection-quality-changed',
    { participant, quality },
  ],
  screenShareChanged: (active) => ['screen-share-changed', { active }],
  deviceLost: (kind, deviceId) => ['device-lost', { kind, deviceId }],
  activeDeviceChanged: (kind, deviceId) => ['active-device-changed', { kind, deviceId }],
  playbackBlocked: () => ['playback-blocked', {}],
  playbackStarted: () => ['playback-started', {}],
};

/** Owns a {@link RoomClient} on behalf of an element; see the module doc. */
export class RoomController implements ReactiveController {
  /** The last error (a rejected join or an emitted `error`); cleared by `join()`. */
  error: unknown = null;
  /** The last `join()` call's room, name and server, for status messages. */
  attempt: JoinAttempt | null = null;
  /** The name of the participant the client last named active speaker; null when nobody speaks. */
  activeSpeaker: string | null = null;

  readonly #host: ReactiveControllerHost & EventTarget;
  #client: RoomClient | null = null;
  #options: RoomClientOptions | null = null;
  #unbind: Array<() => void> = [];
  /** Errors already dispatched as `room-error`, so a rejected join that was also emitted fires once. */
  readonly #dispatched = new WeakSet<RoomError>();

  constructor(host: ReactiveControllerHost & EventTarget) {
    this.#host = host;
    host.addController(this);
  }

  /** The current client: `null` before the first `join()`; kept (closed) after the host is removed. */
  get client(): RoomClient | null {
    return this.#client;
  }

  hostDisconnected(): void {
    this.#close();
  }

  /**
   * Joins `room` as `name`. Reuses the current client unless it is closed or `options`
   * differ from the ones it was made with; then a new client replaces it (the old one is
   * closed). Rejects as `RoomClient.join()` does; a constructor `TypeError` (invalid URL)
   * rejects too.
   */
  async join(room: string, name: string, options: RoomClientOptions): Promise<void> {
    this.error = null;
    this.attempt = { room, name, server: options.url, connected: false };
    try {
      await this.#clientFor(options).join(room, name);
    } catch (error) {
      // leave() or close() during the join cancelled it: the app's own doing, not a failure to show.
      const cancelled =
        error instanceof InvalidStateError &&
        (error.reason === 'not-joined' || error.reason === 'closed');
      if (!cancelled) this.#fail(error);
      throw error;
    } finally {
      this.#host.requestUpdate();
    }
  }

  /**
   * Runs a control's `action` (a mute, a device switch, a screen share): a failure shows in
   * the status line and is dispatched as `room-error`, never thrown. Re-renders after.
   */
  async run(action: (client: RoomClient) => Promise<void>): Promise<void> {
    const client = this.#client;
    if (!client) return;
    try {
      await action(client);
    } catch (error) {
      this.#fail(error);
    } finally {
      this.#host.requestUpdate();
    }
  }

  /** Leaves the room if in one (or joining); resolves at once otherwise. */
  async leave(): Promise<void> {
    const client = this.#client;
    this.error = null;
    this.#host.requestUpdate();
    if (!client || client.state === 'disconnected' || client.state === 'closed') return;
    await client.leave();
  }

  #clientFor(options: RoomClientOptions): RoomClient {
    const current = this.#client;
    const previous = this.#options;
    if (
      current &&
      previous &&
      current.state !== 'closed' &&
      previous.url === options.url &&
      previous.iceServers === options.iceServers &&
      previous.iceTransportPolicy === options.iceTransportPolicy &&
      previous.media === options.media &&
      previous.getUserMedia === options.getUserMedia
    ) {
      return current;
    }
    this.#close();
    const client = new RoomClient({ ...options, monitors: [activeSpeaker(), connectionQuality()] });
    this.#client = client;
    this.#options = options;
    this.activeSpeaker = null;
    this.#unbind.push(
      client.on('error', (error) => this.#fail(error)),
      client.on('localTrackReplaced', () => this.#host.requestUpdate()),
      client.on('activeSpeakerChanged', (p) => void (this.activeSpeaker = p?.name ?? null)),
      client.on('remoteStreamRemoved', (_, stream) => detachMedia(stream)),
    );
    try {
      this.#unbind.push(followDevices(client), stopCameraWhenOff(client));
    } catch {
      // No navigator.mediaDevices (an insecure origin): the camera cannot open either.
    }
    for (const event of Object.keys(FORWARD) as ForwardedEvent[]) {
      const forward = FORWARD[event] as (...args: unknown[]) => [string, unknown];
      this.#unbind.push(
        client.on(event, (...args: unknown[]) => {
          if (event === 'connectionStateChanged' && args[0] === 'connected' && this.attempt) {
            this.attempt.connected = true;
          }
          // A connection that failed and came back (rebuilt by the client): no longer an error.
          const [participant, state] = args as [Participant, PeerState];
          const error = this.error;
          if (
            event === 'peerStateChanged' &&
            state === 'connected' &&
            error instanceof NegotiationError &&
            error.participant === participant.name
          ) {
            this.error = null;
          }
          this.#host.requestUpdate();
          const [type, detail] = forward(...args);
          this.#dispatch(type, detail);
        }),
      );
    }
    return client;
  }

  /**
   * Closes the current client, then unsubscribes: closing removes its streams, and those
   * events must still reach `detachMedia` so that no video keeps a stream.
   */
  #close(): void {
    void this.#client?.close();
    this.#release();
  }

  /** Unsubscribes from the current client and stops following its devices. */
  #release(): void {
    for (const unbind of this.#unbind) unbind();
    this.#unbind = [];
  }

  /** Records an error for the status line and dispatches `room-error` once per error. */
  #fail(error: unknown): void {
    this.error = error;
    this.#host.requestUpdate();
    if (!(error instanceof RoomError) || this.#dispatched.has(error)) return;
    this.#dispatched.add(error);
    this.#dispatch('room-error', { error });
  }

  #dispatch(type: string, detail: unknown): void {
    this.#host.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}
