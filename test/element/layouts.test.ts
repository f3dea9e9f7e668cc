// Layouts: grid and speaker, switched by the attribute (silently) and by the user (with
// layout-changed), and a phone-sized viewport where nothing overflows.
import { expect } from '@esm-bundle/chai';
import type { KurentoRoomElement } from '../../packages/sdk/src/element/kurento-room.js';
import { setViewport } from '../helpers-browser/commands.js';
import type { FakeKurento } from '../helpers-browser/fake-kurento.js';
import { cleanup, fakeKurento, onCleanup } from '../helpers-browser/fixture.js';
import { joinedWith, part, recordEvents, rendered, shadow, tile, tiles } from './helpers.js';

describe('<kurento-room> layouts', () => {
  let server: FakeKurento;
  let element: KurentoRoomElement;

  afterEach(cleanup);

  const focused = () => tiles(element).filter((t) => t.hasAttribute('data-focus'));
  const rect = (node: Element) => node.getBoundingClientRect();

  it('is a grid by default; the layout attribute switches to speaker: the first remote large over a strip, no event', async () => {
    server = fakeKurento();
    const events = recordEvents(document, ['layout-changed']);
    element = await joinedWith(server, ['Bob', 'Carol']);
    expect(element.layout).to.equal('grid');
    expect(part(element, 'grid')).to.not.equal(null);
    expect(focused()).to.deep.equal([]);

    element.setAttribute('layout', 'speaker');
    await element.updateComplete;
    expect(element.layout).to.equal('speaker');
    expect(part(element, 'grid')).to.equal(null);
    const strip = part<HTMLElement>(element, 'strip')!;
    const stage = part<HTMLElement>(element, 'stage')!;
    expect(focused().map((t) => t.dataset.name)).to.deep.equal(['Bob']);
    const large = rect(tile(element, 'Bob')!);
    expect(large.top).to.equal(rect(stage).top);
    expect(large.height).to.equal(rect(stage).height);
    for (const name of ['Ada', 'Carol']) {
      const small = rect(tile(element, name)!);
      expect(small.width, `${name} is small`).to.be.lessThan(large.width / 2);
      expect(small.top, `${name} is below`).to.be.at.least(large.bottom);
    }
    expect(getComputedStyle(strip).overflowX).to.equal('auto');

    element.layout = 'grid';
    await element.updateComplete;
    expect(element.getAttribute('layout'), 'reflected').to.equal('grid');
    expect(focused()).to.deep.equal([]);
    expect(events.all('layout-changed'), 'the page set it: no event').to.deep.equal([]);
  });

  it('the layout button switches layouts, says which it switches to, and fires layout-changed once each', async () => {
    server = fakeKurento();
    element = await joinedWith(server, ['Bob']);
    const events = recordEvents(element, ['layout-changed']);
    const button = part(element, 'layout-button')!;
    const videos = tiles(element).map((t) => t.querySelector('video'));
    button.click();
    await element.updateComplete;
    expect(element.layout).to.equal('speaker');
    expect(button.textContent!.trim()).to.equal('Switch to grid layout');
    expect(
      tiles(element).map((t) => t.querySelector('video')),
      'the videos survive the switch',
    ).to.deep.equal(videos);
    button.click();
    await element.updateComplete;
    expect(element.layout).to.equal('grid');
    expect(button.textContent!.trim()).to.equal('Switch to speaker layout');
    expect(events.all('layout-changed').map((e) => e.detail)).to.deep.equal([
      { layout: 'speaker' },
      { layout: 'grid' },
    ]);
  });

  it('focuses the active speaker, and keeps them large once they fall silent', async () => {
    server = fakeKurento({ silent: ['Bob'] });
    // Ada publishes no microphone: her own beep would speak too.
    element = await joinedWith(server, ['Bob', 'Carol'], { layout: 'speaker' }, { video: true });
    expect(
      focused().map((t) => t.dataset.name),
      'the first remote at first',
    ).to.deep.equal(['Bob']);
    await rendered(element, () => tile(element, 'Carol')!.hasAttribute('data-focus'), 'Carol');
    server.setAudioEnabled('Carol', false);
    await rendered(element, () => !tile(element, 'Carol')!.hasAttribute('data-speaking'), 'quiet');
    expect(focused().map((t) => t.dataset.name)).to.deep.equal(['Carol']);
  });

  describe('on a phone (390×844)', () => {
    beforeEach(async () => {
      await setViewport(390, 844);
      onCleanup(() => setViewport(800, 600));
    });

    it('nothing overflows sideways: one grid column, controls on screen, the strip scrolls', async () => {
      server = fakeKurento();
      element = await joinedWith(server, ['Bob', 'Carol', 'Dave']);
      const root = document.documentElement;
      expect(root.scrollWidth, 'no page scrollbar').to.be.at.most(390);
      const lefts = new Set(tiles(element).map((t) => Math.round(rect(t).left)));
      expect(lefts.size, 'one column').to.equal(1);
      const controls = [...shadow(element).querySelectorAll<HTMLElement>('[part~="control"]')];
      for (const control of controls) {
        expect(rect(control).right, control.getAttribute('part')!).to.be.at.most(390);
        expect(rect(control).width, 'icons only').to.be.lessThan(80);
        expect(control.textContent!.trim(), 'still named').to.not.equal('');
      }

      element.layout = 'speaker';
      await element.updateComplete;
      expect(root.scrollWidth).to.be.at.most(390);
      const strip = part<HTMLElement>(element, 'strip')!;
      expect(strip.scrollWidth, 'the strip scrolls').to.be.greaterThan(strip.clientWidth);
      expect(rect(focused()[0]).width).to.be.at.most(390);
    });
  });
});
