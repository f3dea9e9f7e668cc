// The demo page: a join form that mounts <kurento-room>. `?room=R&name=N` fills the
// form; `&autojoin` joins at once; `&video=320x240@15` asks the camera for that size and
// frame rate (default: the browser's, usually 640x480); `&layout=speaker` (or `grid`) sets
// the element's `layout` attribute. ICE servers come from the reference server's
// /config.json ({iceServers: RTCIceServer[]}); without it the room runs on host candidates.
import '../src/kurento-room.js';
import type { KurentoRoomElement } from '../src/kurento-room.js';

const form = document.querySelector<HTMLFormElement>('#join-form')!;
const roomInput = form.elements.namedItem('room') as HTMLInputElement;
const nameInput = form.elements.namedItem('name') as HTMLInputElement;
const container = document.querySelector<HTMLElement>('#room')!;
const share = document.querySelector<HTMLElement>('#share')!;
const shareLink = document.querySelector<HTMLAnchorElement>('#share-link')!;
const copyButton = document.querySelector<HTMLButtonElement>('#copy-link')!;

/** The reference server's ICE servers, or undefined when /config.json is missing or invalid. */
async function loadIceServers(): Promise<RTCIceServer[] | undefined> {
  try {
    const response = await fetch('/config.json');
    if (!response.ok) return undefined;
    const config: unknown = await response.json();
    const iceServers = (config as { iceServers?: unknown } | null)?.iceServers;
    return Array.isArray(iceServers) ? (iceServers as RTCIceServer[]) : undefined;
  } catch {
    return undefined;
  }
}

/** The link that brings others into `room` (without our name: they choose theirs). */
function roomLink(room: string): string {
  const url = new URL(location.pathname, location.origin);
  url.searchParams.set('room', room);
  return url.href;
}

/** Camera constraints from a `video=WIDTHxHEIGHT[@FPS]` query value; undefined for the default. */
function videoConstraints(value: string | null): MediaStreamConstraints | undefined {
  const match = /^(\d{2,4})x(\d{2,4})(?:@(\d{1,2}))?$/.exec(value ?? '');
  if (!match) return undefined;
  const [, width, height, fps] = match.map(Number);
  const video: MediaTrackConstraints = { width: { ideal: width }, height: { ideal: height } };
  if (fps) video.frameRate = { ideal: fps };
  return { audio: true, video };
}

const params = new URLSearchParams(location.search);
const media = videoConstraints(params.get('video'));
const layout = params.get('layout');
const iceServers = loadIceServers();

/** Replaces any current room (leaving it) with a new element that joins `room` as `name`. */
async function mount(room: string, name: string): Promise<void> {
  const element = document.createElement('kurento-room') as KurentoRoomElement;
  element.room = room;
  element.name = name;
  if (media) element.media = media;
  if (layout) element.setAttribute('layout', layout);
  element.iceServers = await iceServers;
  const empty = document.createElement('p');
  empty.slot = 'empty';
  empty.textContent = 'Nobody else is here yet: send them the link above.';
  element.append(empty);
  element.addEventListener('connection-state-changed', (event) => {
    const joined = event.detail.state === 'connected';
    share.hidden = !joined;
    if (joined) shareLink.href = shareLink.textContent = roomLink(room);
  });
  copyButton.textContent = 'Copy link';
  container.replaceChildren(element);
  // Failures show in the element's status line.
  element.join().catch(() => {});
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const room = roomInput.value.trim();
  const name = nameInput.value.trim();
  if (room && name) void mount(room, name);
});

copyButton.hidden = !navigator.clipboard;
copyButton.addEventListener('click', () => {
  navigator.clipboard.writeText(shareLink.href).then(
    () => (copyButton.textContent = 'Copied'),
    () => (copyButton.textContent = 'Copy failed'),
  );
});

roomInput.value = params.get('room') ?? '';
nameInput.value = params.get('name') ?? '';
if (params.has('autojoin') && roomInput.value.trim() && nameInput.value.trim()) {
  void mount(roomInput.value.trim(), nameInput.value.trim());
}
