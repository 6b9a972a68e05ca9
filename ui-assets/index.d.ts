/** Types for `traykit-api` (index.js), the page side of traykit's JSON-RPC bridge. */

/** An event delivered to a listener. */
export interface Event<T> {
  /** The event name. */
  event: string;
  payload: T;
  /** The label of the window that emitted it, or `null` when emitted from Rust. */
  source: string | null;
}

export type EventCallback<T> = (event: Event<T>) => void | Promise<void>;

/** Removes the listener; resolves once the core has been told (when it had to be). */
export type UnlistenFn = () => Promise<void>;

/**
 * A JSON-RPC error from the core. When the core refused a whole message (over
 * a size or batch limit, unparsable, not sealed by the isolation frame), every
 * call of that message rejects with it, and `data.message` is that message's
 * sequence number.
 */
export declare class TraykitError extends Error {
  constructor(message: string, code: number, data?: unknown);
  /** The JSON-RPC error code. */
  code: number;
  /** The JSON-RPC error's `data` member, when the core sent one. */
  data?: unknown;
}

/** Calls a core method and resolves with its result; rejects with a {@link TraykitError}. */
export declare function invoke<T = unknown>(method: string, params?: object | unknown[]): Promise<T>;

/** Sends a JSON-RPC notification: no answer, no error. */
export declare function notify(method: string, params?: object | unknown[]): void;

/**
 * Posts raw text to the core as this page's message (for tools and tests of
 * the core's decoder); answers arrive through {@link onMessage}. Returns the
 * message's sequence number, which a refusal of the whole message carries
 * as `error.data.message`.
 */
export declare function post(text: string): number;

/** Listens to an event until the returned function is called. */
export declare function listen<T = unknown>(event: string, handler: EventCallback<T>): Promise<UnlistenFn>;

/** Like {@link listen}, for the next occurrence only. */
export declare function once<T = unknown>(event: string, handler: EventCallback<T>): Promise<UnlistenFn>;

/** Emits an event to every window listening to it and to Rust. */
export declare function emit(event: string, payload?: unknown): Promise<void>;

/** Emits an event to the window with this label only. */
export declare function emitTo(label: string, event: string, payload?: unknown): Promise<void>;

/** Observes every raw message the core sends (responses, events, batches); for devtools and tests. Returns an unsubscribe function. */
export declare function onMessage(handler: (message: unknown) => void): () => void;

/** This window's label. */
export declare const label: () => string;
