// DOM helpers for the element tests. Everything waits on events (DOM events,
// mutations, media events); the timeouts only turn a hang into a readable failure.
import '../../packages/sdk/src/element/kurento-room.js';
import type { KurentoRoomElement } from '../../packages/sdk/src/element/kurento-room.js';
import type { FakeKurento } from '../helpers-browser/fake-kurento.js';
import { onCleanup } from '../helpers-browser/fixture.js';

const GUARD_MS = 8000;

/** Runs `start(done)` and resolves with what `done` gets, or rejects after the guard timeout. */
function guarded<T>(what: string, start: (done: (value: T) => void) => () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let stop = () => {};
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`timed out waiting for ${what}`));
    }, GUARD_MS);
    stop = start((value) => {
      clearTimeout(timer);
      stop();
      resolve(value);
    });
  });
}

/** The signaling URL the element tests' fake group-call server answers (msw `ws.link`). */
export const SERVER = 'ws://mock.test/groupcall';

/** A `<kurento-room>` with `attributes`, on the page and rendered; removed by `cleanup()`. */
export async function mount(attributes: Record<string, string> = {}): Promise<KurentoRoomElement> {
  const element = document.createElement('kurento-room');
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  document.body.append(element);
  onCleanup(() => element.remove());
  await element.updateComplete;
  return element;
}

/** The element's shadow root. */
export function shadow(element: KurentoRoomElement): ShadowRoot {
  return element.shadowRoot!;
}

/** The status line's text, whitespace collapsed. */
export function statusText(element: KurentoRoomElement): string {
  return (shadow(element).querySelector('[part="status"]')?.textContent ?? '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The button with part `part` (`join-button`, `mic-button`, `pin-button`…), if rendered. */
export function part<T extends HTMLElement = HTMLButtonElement>(
  element: KurentoRoomElement,
  name: string,
): T | null {
  return shadow(element).querySelector<T>(`[part~="${name}"]`);
}

/** The tiles, as the e2e tests find them. */
export function tiles(element: KurentoRoomElement): HTMLElement[] {
  return [...shadow(element).querySelectorAll<HTMLElement>('[part~="tile"]')];
}

/** The tile of participant `name`, if rendered. */
export function tile(element: KurentoRoomElement, name: string): HTMLElement | undefined {
  return tiles(element).find((t) => t.dataset.name === name);
}

/** Resolves with `check()` once it is truthy, re-checking on every change of the shadow DOM. */
export function rendered<T>(
  element: KurentoRoomElement,
  check: () => T | undefined | null | false,
  what: string,
): Promise<T> {
  return guarded<T>(what, (done) => {
    const test = () => {
      const value = check();
      if (value !== undefined && value !== null && value !== false) done(value);
    };
    const observer = new MutationObserver(test);
    observer.observe(shadow(element), {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
    });
    queueMicrotask(test);
    return () => observer.disconnect();
  });
}

/** Resolves with the next `type` event on `target` for which `where` holds (typed by the event map). */
export function nextEvent<K extends keyof GlobalEventHandlersEventMap>(
  target: EventTarget,
  type: K,
  where: (event: GlobalEventHandlersEventMap[K]) => boolean = () => true,
): Promise<GlobalEventHandlersEventMap[K]> {
  type E = GlobalEventHandlersEventMap[K];
  return guarded<E>(`a ${type} event`, (done) => {
    const listener = (event: Event) => {
      if (where(event as E)) done(event as E);
    };
    target.addEventListener(type, listener);
    return () => target.removeEventListener(type, listener);
  });
}

/** Resolves once `video` is playing real frames (videoWidth > 0, not paused). */
export function playing(video: HTMLVideoElement): Promise<HTMLVideoElement> {
  const events = ['loadedmetadata', 'playing', 'resize', 'timeupdate'];
  return guarded<HTMLVideoElement>('the video to play', (done) => {
    const test = () => {
      if (video.videoWidth > 0 && !video.paused) done(video);
    };
    for (const type of events) video.addEventListener(type, test);
    queueMicrotask(test);
    return () => {
      for (const type of events) video.removeEventListener(type, test);
    };
  });
}

/** Counts assignments to `video.srcObject` from now on (each one reloads the video). */
export function countSrcObjectSets(video: HTMLVideoElement): () => number {
  const native = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'srcObject')!;
  let count = 0;
  Object.defineProperty(video, 'srcObject', {
    configurable: true,
    get: () => native.get!.call(video),
    set: (value: MediaProvider | null) => {
      count += 1;
      native.set!.call(video, value);
    },
  });
  return () => count;
}

/** The page's origin as a WebSocket origin (`ws://127.0.0.1:8000`). */
export const wsOrigin = location.origin.replace(/^http/, 'ws');

let rooms = 0;
/** A room name not used before in this page. */
export function freshRoom(): string {
  rooms += 1;
  return `room-${rooms}-${Math.random().toString(36).slice(2, 8)}`;
}

/** The fake server tells the latest client what `name`'s mute state is (`participantMediaState`). */
export function setRemoteMediaState(
  server: FakeKurento,
  name: string,
  state: { audioMuted: boolean; videoMuted: boolean },
): void {
  server.send({ id: 'participantMediaState', name, ...state });
}

/** Records every `types` event reaching `target` until the end of the test. */
export function recordEvents<K extends keyof GlobalEventHandlersEventMap>(
  target: EventTarget,
  types: K[],
): { all(type: K): GlobalEventHandlersEventMap[K][] } {
  const seen: Event[] = [];
  const record = (event: Event) => seen.push(event);
  for (const type of types) target.addEventListener(type, record);
  onCleanup(() => {
    for (const type of types) target.removeEventListener(type, record);
  });
  return {
    all: (type) => seen.filter((e) => e.type === type) as GlobalEventHandlersEventMap[K][],
  };
}

/** Mounts Ada in a fresh room with `others` there (no client behind them), joins publishing `media` (default camera and microphone) and waits for every tile. */
export async function joinedWith(
  server: FakeKurento,
  others: string[],
  attributes: Record<string, string> = {},
  media?: MediaStreamConstraints,
): Promise<KurentoRoomElement> {
  const room = freshRoom();
  for (const name of others) server.arrive(name, room);
  const element = await mount({ server: server.url, room, name: 'Ada', ...attributes });
  if (media) element.media = media;
  await element.join();
  await rendered(
    element,
    () =>
      tiles(element).length === others.length + 1 &&
      element.client!.localParticipant!.stream?.getVideoTracks().length,
    'every tile and the camera',
  );
  await element.updateComplete;
  return element;
}
