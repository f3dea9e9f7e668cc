import { css } from 'lit';

/** Styles of `<kurento-room>` itself: its custom properties, header and layouts (documented on the element). */
export const styles = css`
  :host {
    --kurento-room-gap: 0.5rem;
    --kurento-room-tile-min-width: 14rem;
    --kurento-room-strip-tile-width: 9rem;
    --kurento-room-stage-height: min(70vh, 56.25cqi);
    --kurento-room-tile-radius: 0.5rem;
    --kurento-room-tile-background: #1d232a;
    --kurento-room-tile-text: #fff;
    --kurento-room-tile-aspect-ratio: 4 / 3;
    --kurento-room-speaking-color: #2fb170;
    --kurento-room-muted-color: #b3261e;
    --kurento-room-quality-good: #2fb170;
    --kurento-room-quality-poor: #e0a100;
    --kurento-room-quality-lost: #b3261e;
    --kurento-room-accent: #1f5fbf;
    --kurento-room-accent-text: #fff;
    --kurento-room-error: #b3261e;
    --kurento-room-control-background: #2b333c;
    --kurento-room-control-text: #fff;
    --kurento-room-control-active: #b3261e;
    --kurento-room-control-radius: 999px;
    --kurento-room-menu-background: #fff;
    --kurento-room-menu-text: #1d232a;
    display: block;
    container-type: inline-size;
  }

  :host([hidden]),
  [hidden] {
    display: none !important;
  }

  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }

  button:focus-visible,
  select:focus-visible {
    outline: 2px solid var(--kurento-room-accent);
    outline-offset: 2px;
  }

  [part='header'] {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--kurento-room-gap);
    margin-block-end: var(--kurento-room-gap);
  }

  [part='title'] {
    margin: 0;
    font-size: 1.125rem;
    overflow-wrap: anywhere;
  }

  [part='status'] {
    flex: 1 1 12rem;
    margin: 0;
    overflow-wrap: anywhere;
  }

  [part='error'] {
    color: var(--kurento-room-error);
  }

  [part='join-button'],
  [part='playback-button'] {
    font: inherit;
    padding: 0.4em 1em;
    border: 0;
    border-radius: 0.375rem;
    background: var(--kurento-room-accent);
    color: var(--kurento-room-accent-text);
    cursor: pointer;
  }

  [part='join-button']:disabled {
    opacity: 0.5;
    cursor: not-allowed;
  }

  /* The focused tile is positioned over the stage, outside the strip's scrolling box. */
  [part~='call'] {
    position: relative;
  }

  [part='grid'] {
    display: grid;
    grid-template-columns: repeat(
      auto-fit,
      minmax(min(100%, var(--kurento-room-tile-min-width)), 1fr)
    );
    gap: var(--kurento-room-gap);
  }

  [part='stage'] {
    height: var(--kurento-room-stage-height);
    margin-block-end: var(--kurento-room-gap);
  }

  [part='strip'] {
    display: flex;
    gap: var(--kurento-room-gap);
    overflow-x: auto;
  }

  [part='strip'] > [part~='tile'] {
    flex: 0 0 var(--kurento-room-strip-tile-width);
  }

  [part='strip'] > [data-focus] {
    position: absolute;
    inset: 0 0 auto;
    height: var(--kurento-room-stage-height);
    aspect-ratio: auto;
  }

  [part='empty'] {
    display: grid;
    place-items: center;
    padding: 1rem;
    text-align: center;
  }

  [part='strip'] > [part='empty'] {
    flex: 1 0 auto;
  }

  [part='playback-button'] {
    position: absolute;
    inset-block-start: 50%;
    inset-inline-start: 50%;
    transform: translate(-50%, -50%);
    z-index: 2;
  }
`;
