// The stats loop and the opt-in monitors: active speaker from real audio levels (the fake
// server sends a beeping microphone for some participants and silence for others), connection
// quality and getStats() figures, and nothing left running after leave() or close().
import { expect } from '@esm-bundle/chai';
import {
  startScreenShare,
  followDevices,
  getStats,
} from '../../packages/sdk/src/controls/media-controls.js';
import { activeSpeaker } from '../../packages/sdk/src/controls/active-speaker.js';
import {
  connectionQuality,
  QUALITY_THRESHOLDS,
  rateMedia,
} from '../../packages/sdk/src/controls/quality.js';
import { createMember } from '../../packages/sdk/src/core/participant.js';
import { emptySample } from '../../packages/sdk/src/core/stats.js';
import { WATCHDOG_TICK_MS } from '../../packages/sdk/src/core/media-watchdog.js';
import type { MediaStats, Participant, RoomStats } from '../../packages/sdk/src/core/types.js';
import { trackIntervals, until } from './helpers.js';
import {
  canvasTrack,
  countAudioContexts,
  stubMediaDevices,
  watchDeviceChangeListeners,
} from './media-probes.js';
import { firefox } from '../helpers-browser/browser.js';
import { cleanup, joinedWithMedia, onCleanup, start, type Room } from './setup.js';

/** Plays every remote stream the client announces, as an app does (Chromium decodes received audio only for a sink). */
function playRemoteStreams({ client }: Room): void {
  client.on('remoteStreamAdded', (_, stream) => client.attachMediaElement(new Audio(), stream));
}

/** Joins as ada with bob and carol (carol silent), ada muted, every remote stream played. */
async function speakerRoom(): Promise<Room> {
  const room = start(
    { existing: ['bob', 'carol'], silent: ['carol'] },
    { monitors: [activeSpeaker()] },
  );
  playRemoteStreams(room);
  const joining = room.client.join('lobby', 'ada');
  await room.client.setMicrophoneEnabled(false);
  await joining;
  return room;
}

const FINE: MediaStats = {
  bitrateKbps: 500,
  packetLossPercent: 0,
  rttMs: 10,
  jitterMs: 5,
  framesPerSecond: 20,
  audioLevel: 0,
};

/** Every figure of `stats` is in a range a loopback call can have. */
function expectSane(stats: RoomStats['publisher'], name: string): void {
  expect(stats, name).to.not.equal(null);
  const s = stats!;
  expect(s.name).to.equal(name);
  expect(s.bitrateKbps, `${name} kbps`).to.be.within(10, 20_000);
  expect(s.packetLossPercent, `${name} loss %`).to.be.within(0, 5);
  expect(s.rttMs, `${name} RTT ms`).to.be.within(0, 200);
  expect(s.jitterMs, `${name} jitter ms`).to.be.within(0, 200);
  expect(s.framesPerSecond, `${name} fps`).to.be.within(5, 40);
  expect(s.audioLevel, `${name} level`).to.be.within(0, 1);
}

describe('RoomClient stats loop and monitors', () => {
  afterEach(cleanup);

  describe('activeSpeaker()', () => {
    it('the participant whose audio beeps becomes the active speaker; the silent one never speaks', async () => {
      const { client, events } = await speakerRoom();
      const [speaker] = await events.next('activeSpeakerChanged');
      const bob = client.participants.get('bob')!;
      const carol = client.participants.get('carol')!;
      expect(speaker).to.equal(bob);
      expect(bob.speaking).to.equal(true);
      expect(bob.audioLevel).to.be.above(0.018);
      expect(carol).to.include({ speaking: false });
      expect(carol.audioLevel).to.be.below(0.005);
      expect(events.all('speakingChanged')).to.deep.equal([[bob, true]]);
      expect(client.localParticipant!).to.include({ speaking: false, audioLevel: 0 });
    });

    it('the active speaker moves off a participant who falls silent to one who speaks, without flicker', async () => {
      const { client, events, server } = await speakerRoom();
      const bob = client.participants.get('bob')!;
      const carol = client.participants.get('carol')!;
      await events.next('activeSpeakerChanged', (p) => p === bob);
      server.setAudioEnabled('carol', true);
      // Both speak: bob keeps the floor (sticky) while he speaks.
      await events.next('speakingChanged', (p, speaking) => p === carol && speaking);
      expect(client.participants.get('bob')!.speaking).to.equal(true);
      server.setAudioEnabled('bob', false);
      await events.next('speakingChanged', (p, speaking) => p === bob && !speaking);
      const [next] = await events.next('activeSpeakerChanged');
      expect(next).to.equal(carol);
      const changes = (who: Participant) =>
        events
          .all('speakingChanged')
          .filter(([p]) => p === who)
          .map(([, speaking]) => speaking);
      expect(changes(bob)).to.deep.equal([true, false]);
      expect(changes(carol)).to.deep.equal([true]);
      expect(events.all('activeSpeakerChanged').map(([p]) => p?.name)).to.deep.equal([
        'bob',
        'carol',
      ]);
    });

    it('the active speaker keeps the floor while speaking, even when someone else is louder (synthetic levels)', () => {
      let now = 0;
      const clock = performance.now;
      performance.now = () => now;
      onCleanup(() => {
        performance.now = clock;
      });
      const emitted: [string, ...unknown[]][] = [];
      const monitor = activeSpeaker()((event, ...args) => emitted.push([event, ...args]));
      const [bob, carol] = [createMember('bob', false), createMember('carol', false)];
      const seconds = WATCHDOG_TICK_MS / 1000;
      /** One stats tick in which bob and carol have these RMS levels. */
      const tick = (levels: [number, number]) => {
        now += WATCHDOG_TICK_MS;
        [bob, carol].forEach((member, i) => {
          const last = member.samples.at(-1) ?? emptySample(now - WATCHDOG_TICK_MS);
          const energy = last.energy + levels[i] ** 2 * seconds;
          member.samples.push({ ...last, at: now, energy, duration: last.duration + seconds });
        });
        monitor.update([bob, carol]);
      };
      const speakers = () =>
        emitted
          .filter(([e]) => e === 'activeSpeakerChanged')
          .map(([, p]) => (p as Participant | null)?.name ?? null);
      for (let i = 0; i < 6; i++) tick([0.1, 0]);
      expect(speakers()).to.deep.equal(['bob']);
      for (let i = 0; i < 6; i++) tick([0.1, 0.5]); // Carol speaks louder; bob goes on.
      expect(carol.speaking).to.equal(true);
      expect(speakers()).to.deep.equal(['bob']);
      for (let i = 0; i < 8; i++) tick([0, 0.5]); // Bob stops: after leaveMs, carol.
      expect(speakers()).to.deep.equal(['bob', 'carol']);
      for (let i = 0; i < 8; i++) tick([0, 0]);
      expect(speakers()).to.deep.equal(['bob', 'carol', null]);
    });

    it('hysteresis: speaking starts only after enterMs of loud audio and ends only after leaveMs of quiet', async () => {
      const room = start(
        { existing: ['bob'], silent: ['bob'] },
        { media: false, monitors: [activeSpeaker({ enterMs: 1000, leaveMs: 1500 })] },
      );
      const { client, events, server } = room;
      playRemoteStreams(room);
      await client.join('lobby', 'ada');
      const bob = client.participants.get('bob')!;
      await events.next('remoteStreamAdded');
      server.setAudioEnabled('bob', true);
      await until(() => bob.audioLevel >= 0.018, "bob's level to rise", 8000);
      const loud = performance.now();
      expect(bob.speaking).to.equal(false);
      await events.next('speakingChanged', (p, speaking) => p === bob && speaking);
      expect(performance.now() - loud).to.be.at.least(1000 - 250); // Within a tick of enterMs.
      server.setAudioEnabled('bob', false);
      await until(() => bob.audioLevel < 0.018, "bob's level to fall", 8000);
      const quiet = performance.now();
      expect(bob.speaking).to.equal(true);
      await events.next('speakingChanged', (p, speaking) => p === bob && !speaking, 8000);
      expect(performance.now() - quiet).to.be.at.least(1500 - 250);
    });

    it('a participant the room says is muted stops speaking at the next tick, and nobody is the speaker', async () => {
      const { client, events, server } = await speakerRoom();
      const bob = client.participants.get('bob')!;
      await events.next('activeSpeakerChanged', (p) => p === bob);
      const muted = performance.now();
      server.send({
        id: 'participantMediaState',
        name: 'bob',
        audioMuted: true,
        videoMuted: false,
      });
      await events.next('speakingChanged', (p, speaking) => p === bob && !speaking);
      // At the next tick, not after the 1 s hangover (leaveMs) that follows it.
      expect(performance.now() - muted).to.be.below(WATCHDOG_TICK_MS + 350);
      expect(await events.next('activeSpeakerChanged')).to.deep.equal([null]);
      expect(bob.audioLevel).to.equal(0);
    });

    it("the local participant's level comes from the microphone, and muting silences it at once", async () => {
      // Firefox's media-source stats of a microphone have no totalAudioEnergy (nor any other
      // level): there the local level stays 0, measured while bob, beeping, becomes the speaker.
      const silent = firefox ? [] : ['bob'];
      const room = start({ existing: ['bob'], silent }, { monitors: [activeSpeaker()] });
      const { client, events } = room;
      if (firefox) playRemoteStreams(room);
      await client.join('lobby', 'ada');
      const me = client.localParticipant!;
      if (firefox) {
        const [speaker] = await events.next('activeSpeakerChanged');
        expect(speaker).to.equal(client.participants.get('bob'));
        expect(me.audioLevel).to.equal(0);
        expect(me.speaking).to.equal(false);
        await client.setMicrophoneEnabled(false);
        expect(me.audioLevel).to.equal(0);
        return expect(events.all('speakingChanged').map(([p]) => p)).to.not.include(me);
      }
      expect(await events.next('activeSpeakerChanged')).to.deep.equal([me]);
      expect(me.audioLevel).to.be.above(0.018);
      await client.setMicrophoneEnabled(false);
      await events.next('speakingChanged', (p, speaking) => p === me && !speaking);
      expect(me.audioLevel).to.equal(0);
      expect(await events.next('activeSpeakerChanged')).to.deep.equal([null]);
    });
  });

  describe('connectionQuality() and getStats()', () => {
    it('every participant reaches excellent on loopback, and getStats() figures are in sane ranges', async () => {
      const room = start({ existing: ['bob', 'carol'] }, { monitors: [connectionQuality()] });
      const { client, events } = room;
      playRemoteStreams(room);
      await joinedWithMedia(room);
      for (const name of ['ada', 'bob', 'carol']) {
        await events.next(
          'connectionQualityChanged',
          (p, quality) => p.name === name && quality === 'excellent',
        );
      }
      expect(client.localParticipant!.connectionQuality).to.equal('excellent');
      // The publisher's jitter is the server's (RTCP receiver reports: in Firefox the first
      // may come after the quality is excellent).
      await until(
        async () => (await getStats(client)).publisher?.jitterMs != null,
        "the server's first receiver report",
      );
      const stats = await getStats(client);
      expect(JSON.parse(JSON.stringify(stats))).to.deep.equal(stats);
      expect(stats.timestamp).to.be.closeTo(Date.now(), 5000);
      expectSane(stats.publisher, 'ada');
      expect(Object.keys(stats.participants).sort()).to.deep.equal(['bob', 'carol']);
      for (const name of ['bob', 'carol']) {
        expectSane(stats.participants[name], name);
        expect(stats.participants[name].connectionQuality).to.equal('excellent');
        expect(stats.participants[name].audioLevel).to.be.above(0.01); // Played, so decoded.
      }
      // The microphone's level: none in Firefox (no totalAudioEnergy in its media-source stats).
      if (firefox) expect(stats.publisher!.audioLevel).to.equal(0);
      else expect(stats.publisher!.audioLevel).to.be.above(0.01);
    });

    it('a subscription whose media stops entirely goes lost', async () => {
      const room = start(
        { existing: ['bob', 'carol'] },
        { monitors: [connectionQuality()], stallTimeoutMs: 60_000 },
      );
      const { client, events, server } = room;
      await joinedWithMedia(room);
      const bob = client.participants.get('bob')!;
      await events.next('connectionQualityChanged', (p, q) => p === bob && q === 'excellent');
      await server.stopAudio('bob');
      await server.stopVideo('bob');
      await events.next('connectionQualityChanged', (p, q) => p === bob && q === 'lost');
      expect(bob.connectionQuality).to.equal('lost');
      expect(client.participants.get('carol')!.connectionQuality).to.equal('excellent');
      const stats = await getStats(client);
      expect(stats.participants.bob.bitrateKbps).to.equal(0);
    });

    it('rateMedia: the worst figure decides, at the documented thresholds', () => {
      expect(rateMedia(FINE)).to.equal('excellent');
      expect(rateMedia({ ...FINE, rttMs: null, jitterMs: null })).to.equal('excellent');
      for (const key of ['packetLossPercent', 'rttMs', 'jitterMs'] as const) {
        const { good, poor } = QUALITY_THRESHOLDS[key];
        expect(rateMedia({ ...FINE, [key]: good - 0.1 }), `${key} < good`).to.equal('excellent');
        expect(rateMedia({ ...FINE, [key]: good }), `${key} = good`).to.equal('good');
        expect(rateMedia({ ...FINE, [key]: poor }), `${key} = poor`).to.equal('poor');
      }
      expect(rateMedia({ ...FINE, packetLossPercent: 3, rttMs: 900 })).to.equal('poor');
    });

    it('without monitors: getStats() still has every figure, quality stays unknown, levels stay 0', async () => {
      const room = start({ existing: ['bob', 'carol'] });
      const { client } = room;
      await joinedWithMedia(room);
      let stats: RoomStats;
      await until(async () => {
        stats = await getStats(client);
        const publisher = stats.publisher;
        // The server's first receiver report brings the publisher's jitter and loss.
        return (publisher?.bitrateKbps ?? 0) > 10 && publisher?.jitterMs != null;
      }, 'every figure of the publisher');
      expectSane(stats!.publisher, 'ada');
      expect(stats!.publisher!.connectionQuality).to.equal('unknown');
      expect(client.participants.get('bob')).to.include({
        connectionQuality: 'unknown',
        speaking: false,
        audioLevel: 0,
      });
    });

    it('getStats() when not joined resolves with no participant', async () => {
      const { client } = start();
      const stats = await getStats(client);
      expect(stats).to.include({ publisher: null });
      expect(stats.participants).to.deep.equal({});
    });
  });

  describe('clean-up', () => {
    for (const how of ['leave', 'close'] as const) {
      it(`${how}() stops the stats loop, removes the devicechange listener and stops the screen share; no AudioContext was ever made`, async () => {
        const audioContexts = countAudioContexts();
        const listeners = watchDeviceChangeListeners();
        const intervals = trackIntervals();
        onCleanup(() => intervals.restore());
        const room = start(
          { existing: ['bob', 'carol'] },
          { monitors: [activeSpeaker(), connectionQuality()] },
        );
        const { client, events } = room;
        followDevices(client);
        playRemoteStreams(room);
        // Headless Firefox has no screen to capture: a canvas stands in for it there.
        if (firefox)
          stubMediaDevices('getDisplayMedia', async () => new MediaStream([canvasTrack()]));
        await joinedWithMedia(room);
        await startScreenShare(client);
        const [, screen] = await events.next('localTrackReplaced');
        await events.next('speakingChanged');
        expect(intervals.live.size).to.equal(2); // The stats loop and the socket's ping.
        expect(listeners.live.size).to.equal(1);

        await client[how]();
        expect(intervals.live.size).to.equal(0);
        expect(listeners.live.size).to.equal(0);
        expect(screen!.readyState).to.equal('ended');
        expect(audioContexts.created).to.deep.equal([]);
      });
    }
  });
});
