import { css } from 'lit';

/** Styles of `<kurento-room>`; the custom properties are documented on the element. */
export const styles = css`
  :host {
    --kurento-room-gap: 0.5rem;
    --kurento-room-tile-min-width: 14rem;
    --kurento-room-tile-radius: 0.5rem;
    --kurento-room-tile-background: #1d232a;
    --kurento-room-tile-aspect-ratio: 4 / 3;
    --kurento-room-accent: #1f5fbf;
    --kurento-room-accent-text: #fff;
    --kurento-room-error: #b3261e;
    display: block;
  }

  :host([hidden]) {
    display: none;
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
  }

  [part='error'] {
    color: var(--kurento-room-error);
  }

  [part='join-button'] {
    font: inherit;
    padding: 0.4em 1em;
    border: 0;
    border-radius: 0.375rem;
    background: var(--kurento-room-accent);
    color: var(--kurento-room-accent-text);
    cursor: pointer;
  }

  [part='join-button']:focus-visible {
    outline: 2px solid var(--kurento-room-accent);
    outline-offset: 2px;
  }

  [part='join-button']:disabled {
    opacity: 0.5;
    cursor: not-allowed;
  }

  [part='grid'] {
    display: grid;
    grid-template-columns: repeat(
      auto-fit,
      minmax(min(100%, var(--kurento-room-tile-min-width)), 1fr)
    );
    gap: var(--kurento-room-gap);
  }

  [part~='tile'] {
    position: relative;
    margin: 0;
    aspect-ratio: var(--kurento-room-tile-aspect-ratio);
    border-radius: var(--kurento-room-tile-radius);
    overflow: hidden;
    background: var(--kurento-room-tile-background);
    color: #fff;
  }

  [part='video'] {
    display: block;
    width: 100%;
    height: 100%;
    object-fit: cover;
  }

  [data-local] [part='video'] {
    transform: scaleX(-1);
  }

  [part='name'],
  [part='peer-state'] {
    position: absolute;
    max-width: calc(100% - 1rem);
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

  [part='empty'] {
    display: grid;
    place-items: center;
    padding: 1rem;
    text-align: center;
  }
`;
