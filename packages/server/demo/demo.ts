// The demo page: one <kurento-room>, whose pre-join screen asks for the room and name (and
// previews the camera). `?room=R&name=N` fills them in; `&autojoin` joins at once; `&video=320x240@15` asks the camera for that size and
// frame rate (default: the browser's, usually 640x480); `&layout=speaker` (or `grid`) sets
// the element's `layout` attribute. ICE servers and the ICE transport policy come from the
// reference server's /config.json ({iceServers: RTCIceServer[], iceTransportPolicy?:
// 'relay' | 'all'}); without it the room runs on host candidates.
import 'kurento-room';
import type { KurentoRoomElement } from 'kurento-room';

const element = document.querySelector<KurentoRoomElement>('#room')!;
const share = document.querySelector<HTMLElement>('#share')!;
const shareLink = document.querySelector<HTMLAnchorElement>('#share-link')!;
const copyButton = document.querySelector<HTMLButtonElement>('#copy-link')!;

/** The reference server's ICE configuration; empty when /config.json is missing or invalid. */
async function loadIceConfig(): Promise<RTCConfiguration> {
  try {
    const response = await fetch('/config.json');
    if (!response.ok) return {};
    const config = ((await response.json()) ?? {}) as Record<string, unknown>;
    const { iceServers, iceTransportPolicy } = config;
    return {
      iceServers: Array.isArray(iceServers) ? (iceServers as RTCIceServer[]) : undefined,
      iceTransportPolicy:
        iceTransportPolicy === 'relay' || iceTransportPolicy === 'all'
          ? iceTransportPolicy
          : undefined,
    };
  } catch {
    return {};
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
const iceConfig = loadIceConfig();

const autojoin = params.has('autojoin');
// With autojoin the element skips its pre-join preview; it joins once room and name are
// set, which waits for the ICE configuration.
element.autojoin = autojoin;
if (!autojoin) {
  element.room = params.get('room') ?? '';
  element.name = params.get('name') ?? '';
}
if (media) element.media = media;
if (layout) element.setAttribute('layout', layout);
const empty = document.createElement('p');
empty.slot = 'empty';
empty.textContent = 'Nobody else is here yet: send them the link above.';
element.append(empty);
element.addEventListener('connection-state-changed', (event) => {
  const joined = event.detail.state === 'connected';
  share.hidden = !joined;
  if (joined) shareLink.href = shareLink.textContent = roomLink(element.room);
  copyButton.textContent = 'Copy link';
});

copyButton.hidden = !navigator.clipboard;
copyButton.addEventListener('click', () => {
  navigator.clipboard.writeText(shareLink.href).then(
    () => (copyButton.textContent = 'Copied'),
    () => (copyButton.textContent = 'Copy failed'),
  );
});

void iceConfig.then(({ iceServers, iceTransportPolicy }) => {
  element.iceServers = iceServers;
  element.iceTransportPolicy = iceTransportPolicy;
  if (autojoin) {
    element.room = params.get('room') ?? '';
    element.name = params.get('name') ?? '';
  }
});
