// Helpers for the RoomClient tests: record what happened and wait for the next thing
// matching a predicate. Everything waits on events; the timeouts only turn a hang into
// a readable failure.
import type { RoomClient } from '../../packages/sdk/src/core/room-client.js';
import type { ConnectionState, RoomClientEvents } from '../../packages/sdk/src/core/types.js';
import { GUARD_MS, Recorder, guard } from '../helpers-browser/wait.js';

type EventName = keyof RoomClientEvents;
type EventArgs<E extends EventName> = Parameters<RoomClientEvents[E]>;

/** One recorded client event. */
export interface RecordedEvent {
  event: EventName;
  args: unknown[];
}

const EVENT_NAMES = Object.keys({
  connectionStateChanged: true,
  participantJoined: true,
  participantLeft: true,
  remoteStreamAdded: true,
  remoteStreamRemoved: true,
  localStreamAdded: true,
  localStreamRemoved: true,
  peerStateChanged: true,
  reconnecting: true,
  reconnected: true,
  peerRestarted: true,
  localMediaStateChanged: true,
  remoteMediaStateChanged: true,
  localTrackReplaced: true,
  activeDeviceChanged: true,
  deviceLost: true,
  screenShareChanged: true,
  speakingChanged: true,
  activeSpeakerChanged: true,
  connectionQualityChanged: true,
  playbackBlocked: true,
  playbackStarted: true,
  error: true,
} satisfies Record<EventName, true>) as EventName[];

/** Records every event of a client, in order. */
export class ClientEvents {
  readonly log = new Recorder<RecordedEvent>();

  constructor(client: RoomClient) {
    for (const event of EVENT_NAMES) {
      client.on(event, (...args: unknown[]) => this.log.push({ event, args }));
    }
  }

  /** Resolves with the arguments of the next `event` matching `where`. */
  async next<E extends EventName>(
    event: E,
    where: (...args: EventArgs<E>) => boolean = () => true,
    ms = GUARD_MS,
  ): Promise<EventArgs<E>> {
    const found = await this.log.next(
      (r) => r.event === event && where(...(r.args as EventArgs<E>)),
      `client event "${event}"`,
      ms,
    );
    return found.args as EventArgs<E>;
  }

  /** The arguments of every `event` so far. */
  all<E extends EventName>(event: E): EventArgs<E>[] {
    return this.log.all((r) => r.event === event).map((r) => r.args as EventArgs<E>);
  }

  /** The connection states entered so far, in order. */
  states(): ConnectionState[] {
    return this.all('connectionStateChanged').map(([state]) => state);
  }

  /** The event names so far, in order. */
  names(): EventName[] {
    return this.log.items.map((r) => r.event);
  }
}

/**
 * Resolves after `video` presented `count` more frames (requestVideoFrameCallback; Firefox's
 * `getVideoPlaybackQuality()` counts no frame of a MediaStream).
 */
export function frames(video: HTMLVideoElement, count: number, what: string): Promise<void> {
  return guard(
    new Promise<void>((resolve) => {
      const next = () => (--count > 0 ? video.requestVideoFrameCallback(next) : resolve());
      video.requestVideoFrameCallback(next);
    }),
    `${count} frames of ${what}`,
  );
}

/** Resolves when `video` has presented a decoded frame of `stream` (requestVideoFrameCallback). */
export function firstFrame(
  stream: MediaStream,
  what: string,
  ms = GUARD_MS,
): Promise<HTMLVideoElement> {
  const video = document.createElement('video');
  video.muted = true;
  video.srcObject = stream;
  document.body.append(video);
  const presented = new Promise<HTMLVideoElement>((resolve) => {
    video.requestVideoFrameCallback(() => resolve(video));
  });
  void video.play().catch(() => {});
  return guard(presented, `a video frame of ${what}`, ms).finally(() => {
    video.srcObject = null;
    video.remove();
  });
}

/** Every RTCPeerConnection the code under test creates, and what it did with them. */
export interface PeerTracker {
  readonly created: TrackedPeer[];
  /** The peer whose local offer is `sdp`. */
  bySdp(sdp: string): TrackedPeer | undefined;
  restore(): void;
}

/** A tracked peer connection and its calls, in order. */
export interface TrackedPeer {
  pc: RTCPeerConnection;
  offer?: string;
  calls: { method: 'setRemoteDescription' | 'addIceCandidate'; arg: unknown; ok?: boolean }[];
  /** `getStats()` calls: whether the connection was closed at the time of each. */
  stats: { closed: boolean }[];
}

/**
 * Replaces `window.RTCPeerConnection` with a subclass that records every instance,
 * its local offer, and each setRemoteDescription/addIceCandidate call and outcome.
 * The fake server captured the native constructor before this runs, so its peers
 * are not counted.
 */
export function trackPeerConnections(): PeerTracker {
  const Native = window.RTCPeerConnection;
  const created: TrackedPeer[] = [];
  const record = async <T>(
    entry: TrackedPeer,
    method: TrackedPeer['calls'][0]['method'],
    arg: unknown,
    run: () => Promise<T>,
  ) => {
    const call: TrackedPeer['calls'][0] = { method, arg };
    entry.calls.push(call);
    try {
      const result = await run();
      call.ok = true;
      return result;
    } catch (error) {
      call.ok = false;
      throw error;
    }
  };
  class Tracked extends Native {
    readonly entry: TrackedPeer = { pc: this, calls: [], stats: [] };
    constructor(config?: RTCConfiguration) {
      super(config);
      created.push(this.entry);
    }
    override setLocalDescription(description?: RTCLocalSessionDescriptionInit): Promise<void> {
      if (description?.type === 'offer') this.entry.offer = description.sdp;
      return super.setLocalDescription(description);
    }
    override setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
      return record(this.entry, 'setRemoteDescription', description, () =>
        super.setRemoteDescription(description),
      );
    }
    override addIceCandidate(candidate?: RTCIceCandidateInit | null): Promise<void> {
      return record(this.entry, 'addIceCandidate', candidate, () =>
        super.addIceCandidate(candidate ?? undefined),
      );
    }
    override getStats(selector?: MediaStreamTrack | null): Promise<RTCStatsReport> {
      this.entry.stats.push({ closed: this.signalingState === 'closed' });
      return super.getStats(selector);
    }
  }
  window.RTCPeerConnection = Tracked as typeof RTCPeerConnection;
  return {
    created,
    bySdp: (sdp) => created.find((p) => p.offer === sdp),
    restore: () => {
      window.RTCPeerConnection = Native;
    },
  };
}

/** Counts the page's live intervals from now on (wrapping `setInterval`/`clearInterval`), until `restore()`. */
export function trackIntervals(): { live: Set<number>; restore(): void } {
  const native = { setInterval, clearInterval };
  const live = new Set<number>();
  window.setInterval = ((handler: () => void, ms?: number) => {
    const id = native.setInterval.call(window, handler, ms);
    live.add(id);
    return id;
  }) as typeof setInterval;
  window.clearInterval = (id?: number) => {
    if (id !== undefined) live.delete(id);
    native.clearInterval.call(window, id);
  };
  return { live, restore: () => Object.assign(window, native) };
}

/** Replaces getUserMedia with `fake` until the returned function is called. */
export function stubGetUserMedia(
  fake: (constraints?: MediaStreamConstraints) => Promise<MediaStream>,
): () => void {
  const devices = navigator.mediaDevices;
  const original = Object.getOwnPropertyDescriptor(devices, 'getUserMedia');
  Object.defineProperty(devices, 'getUserMedia', {
    configurable: true,
    writable: true,
    value: fake,
  });
  return () => {
    if (original) Object.defineProperty(devices, 'getUserMedia', original);
    else delete (devices as { getUserMedia?: unknown }).getUserMedia;
  };
}

/** Collects uncaught errors and unhandled rejections on the page until `stop()`. */
export function watchUncaught(): { errors: unknown[]; stop(): void } {
  const errors: unknown[] = [];
  const onError = (event: ErrorEvent) => errors.push(event.error ?? event.message);
  const onRejection = (event: PromiseRejectionEvent) => errors.push(event.reason);
  window.addEventListener('error', onError);
  window.addEventListener('unhandledrejection', onRejection);
  return {
    errors,
    stop() {
      window.removeEventListener('error', onError);
      window.removeEventListener('unhandledrejection', onRejection);
    },
  };
}

/**
 * Makes `pc` report `connectionState` `failed` (real ICE takes some 30 s to fail; webrtc-pc
 * section 4.3.3) and runs its `onconnectionstatechange` as the browser would. Called, not
 * dispatched: Firefox runs no event-handler attribute of an `RTCPeerConnection` for an
 * event the page dispatches (its listeners do run); Chromium runs both.
 */
export function reportFailed(pc: RTCPeerConnection): void {
  Object.defineProperty(pc, 'connectionState', { configurable: true, value: 'failed' });
  pc.onconnectionstatechange!.call(pc, new Event('connectionstatechange'));
}

/** The `a=ice-ufrag` of an SDP (its first one). */
export function ufragOf(sdp: string): string | undefined {
  return /^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1];
}

/** The media sections of an SDP: kind and direction attribute of each m-line. */
export function mediaSections(sdp: string): { kind: string; direction: string | undefined }[] {
  return sdp
    .split(/^m=/m)
    .slice(1)
    .map((section) => ({
      kind: section.split(' ')[0],
      direction: /^a=(sendrecv|sendonly|recvonly|inactive)\s*$/m.exec(section)?.[1],
    }));
}

/**
 * Resolves once `check()` holds, re-checking every 10 ms. Only for state that fires no
 * event (a stopped track's `readyState`, `getStats()` counters); prefer events.
 */
export function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  ms = GUARD_MS,
): Promise<void> {
  let stopped = false;
  const polling = new Promise<void>((resolve) => {
    const tick = async () => {
      if (stopped) return;
      if (await check()) resolve();
      else setTimeout(tick, 10);
    };
    void tick();
  });
  return guard(polling, what, ms).finally(() => {
    stopped = true;
  });
}

/** Awaits `promise`, which must reject; returns what it rejected with. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** A real fake-camera stream, bypassing any stub (the native method lives on the prototype). */
export function openRealCamera(): Promise<MediaStream> {
  const proto = Object.getPrototypeOf(navigator.mediaDevices) as MediaDevices;
  return proto.getUserMedia.call(navigator.mediaDevices, { audio: true, video: true });
}
