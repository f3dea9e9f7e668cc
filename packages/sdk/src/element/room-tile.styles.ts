import { css } from 'lit';

/** Styles of the tiles (`room-tile.ts`); the custom properties are documented on the element. */
export const tileStyles = css`
  [part~='tile'] {
    position: relative;
    margin: 0;
    aspect-ratio: var(--kurento-room-tile-aspect-ratio);
    border-radius: var(--kurento-room-tile-radius);
    overflow: hidden;
    background: var(--kurento-room-tile-background);
    color: var(--kurento-room-tile-text);
    outline: 3px solid transparent;
    outline-offset: -3px;
  }

  [part~='tile'][data-speaking] {
    outline-color: var(--kurento-room-speaking-color);
  }

  [part='video'] {
    display: block;
    width: 100%;
    height: 100%;
    object-fit: cover;
  }

  [data-focus] [part='video'] {
    object-fit: contain;
  }

  [data-local]:not([data-screen-sharing]) [part='video'] {
    transform: scaleX(-1);
  }

  [part='avatar'] {
    position: absolute;
    inset: 0;
    display: grid;
    place-items: center;
    background: var(--kurento-room-tile-background);
    font-size: 2rem;
  }

  [part='name'],
  [part='peer-state'] {
    position: absolute;
    max-width: calc(100% - 4rem);
    padding: 0.125rem 0.5rem;
    border-radius: 0.25rem;
    background: rgb(0 0 0 / 0.6);
    font-size: 0.875rem;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }

  [part='name'] {
    inset-block-end: 0.5rem;
    inset-inline-start: 0.5rem;
  }

  [part='peer-state'] {
    inset-block-start: 0.5rem;
    inset-inline-end: 0.5rem;
  }

  [data-peer-state='connected'] [part='peer-state'] {
    display: none;
  }

  [data-peer-state='failed'] [part='peer-state'] {
    background: var(--kurento-room-error);
  }

  [part='badges'] {
    position: absolute;
    inset-block-end: 0.5rem;
    inset-inline-end: 0.5rem;
    display: flex;
    gap: 0.25rem;
  }

  [part='muted-indicator'],
  [part='quality'],
  [part='pin-button'] {
    display: inline-grid;
    place-items: center;
    width: 1.5rem;
    height: 1.5rem;
    border-radius: 50%;
    background: rgb(0 0 0 / 0.6);
  }

  [part='muted-indicator'] {
    background: var(--kurento-room-muted-color);
  }

  [part='quality'] {
    grid-auto-flow: column;
    align-items: end;
    gap: 2px;
    padding: 0.375rem;
    box-sizing: border-box;
    color: var(--kurento-room-quality-good);
  }

  [part='quality'] i {
    width: 3px;
    height: 4px;
    background: currentColor;
  }

  [part='quality'] i:nth-child(2) {
    height: 8px;
  }

  [part='quality'] i:nth-child(3) {
    height: 12px;
  }

  [data-quality='good'] [part='quality'] i:nth-child(3),
  [data-quality='poor'] [part='quality'] i:not(:first-child),
  [data-quality='lost'] [part='quality'] i:not(:first-child) {
    opacity: 0.3;
  }

  [data-quality='poor'] [part='quality'] {
    color: var(--kurento-room-quality-poor);
  }

  [data-quality='lost'] [part='quality'] {
    color: var(--kurento-room-quality-lost);
  }

  [part='pin-button'] {
    position: absolute;
    inset-block-start: 0.5rem;
    inset-inline-start: 0.5rem;
    padding: 0;
    border: 0;
    color: inherit;
    cursor: pointer;
    opacity: 0;
  }

  [part~='tile']:hover [part='pin-button'],
  [part='pin-button']:focus-visible,
  [part='pin-button'][aria-pressed='true'] {
    opacity: 1;
  }

  [part='pin-button'][aria-pressed='true'] {
    background: var(--kurento-room-accent);
  }

  [part~='tile'] [part='icon'] {
    width: 1rem;
    height: 1rem;
  }

  [part='icon'] {
    fill: none;
    stroke: currentColor;
    stroke-width: 2;
    stroke-linecap: round;
    stroke-linejoin: round;
  }
`;
