// TypeScript declarations for the Tandem visitor SDK (`window.Tandem`).
// Reference: docs/sdk.md. Copy this file into your project (or reference it
// from a `/// <reference path="tandem.d.ts" />`) to type the global.

declare namespace Tandem {
  /** Where the visitor is in the help flow. */
  type State = "idle" | "queued" | "active" | "ended";

  /** One entry of the topic menu; `id` is what agents and the server see. */
  interface Topic {
    id: string;
    label: string;
  }

  interface InitOptions {
    /** The site id registered with `tandem site add`. Required. */
    site: string;
    /** The Tandem server's URL, e.g. "https://help.example.com". Defaults to where tandem.js was loaded from. */
    server?: string;
    /** "en" or "fr" (any BCP 47 tag; unknown languages fall back to English). Defaults to `navigator.language`. */
    locale?: string;
    /** Replaces the default topics (orders, billing, technical, other). An empty array hides the menu. */
    topics?: Topic[];
    /** Panel title shown before an agent joins. Defaults to "Chat with us" / "Discutons". */
    title?: string;
    /** Accent colour (any CSS colour) for the launcher, header and buttons. */
    color?: string;
    /**
     * CSS selectors of elements masked when the visitor shares their screen (values and texts become
     * bullets before they leave the page), on top of passwords, payment fields, hidden inputs and
     * `data-tandem-mask`. An invalid selector makes `init` throw.
     */
    mask?: string[];
    /**
     * Shows a "Call" button during a chat so the visitor can start a voice call (the site's voice
     * setting on the server must allow visitor calls). Default false.
     */
    callButton?: boolean;
  }

  /** Screen sharing in the open conversation. */
  interface ShareEvent {
    /** `requested`: the agent asked and the visitor has not answered; `active`: the page is shared. */
    state: "off" | "requested" | "active";
  }

  /** Who the visitor is, as your site knows them. Shown to agents as unverified unless `token` proves it. */
  interface Identity {
    id?: string | number;
    name?: string;
    email?: string;
    /** Up to 50 flat values (strings up to 200 characters). */
    attributes?: Record<string, string | number | boolean | null>;
    /** An identity token your backend signed (JWT, HS256, with `sub` and `exp`; see docs/sdk.md). */
    token?: string;
    /** @deprecated The bare HMAC of `id`; verifies only on sites with `--legacy-identity-hash on`. */
    hash?: string;
  }

  interface HelpRequest {
    /** A topic id (see `InitOptions.topics`). */
    topic?: string;
    /** The visitor's first message. Required, at most 4000 characters. */
    message: string;
  }

  interface ReadyEvent {
    /** The server's id for this visitor (stable across visits on this browser). */
    visitor_id: string | null;
  }

  interface StatusEvent {
    state: State;
    /** Place in line while `queued` (1 = next), once the server has said; 0 while the line is full. */
    position?: number;
    /** Estimated wait in seconds while `queued`, when the server can tell. */
    eta_secs?: number;
    /** Why nobody can answer soon, while `queued`: the widget then offers an email answer or a call back. */
    unavailable?: "closed" | "no_agents" | "long_wait" | "queue_full";
    /** The kind of call back the visitor booked, if any. */
    callback?: "message" | "phone" | "browser";
    /** The agent's display name while `active` or after they ended. */
    agent?: string;
  }

  interface MessageEvent {
    author: "visitor" | "agent" | "system";
    text: string;
    /** Milliseconds since the Unix epoch, server time. */
    at: number;
    /** Position in the conversation's log (1-based, no gaps). */
    seq: number;
  }

  interface ErrorEvent {
    /** A stable code: the server's (`bad_token`, `rate_limited`, `session_open`, …) or `load_failed`. */
    code: string;
    message: string;
  }

  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface EmptyEvent {}

  interface EventMap {
    ready: ReadyEvent;
    open: EmptyEvent;
    close: EmptyEvent;
    status: StatusEvent;
    message: MessageEvent;
    share: ShareEvent;
    error: ErrorEvent;
  }

  type EventName = keyof EventMap;
  type Listener<K extends EventName> = (data: EventMap[K]) => void;
  type Unsubscribe = () => void;

  interface Api {
    /** Starts the widget. Call once; `shutdown()` allows calling it again. */
    init(options: InitOptions): void;
    /** Opens the chat panel. */
    open(): void;
    /** Closes the chat panel (the conversation continues). */
    close(): void;
    /** Tells Tandem who the visitor is. Throws on values beyond the limits. */
    identify(identity: Identity): void;
    /** Opens the panel and asks for help with a first message. */
    requestHelp(request: HelpRequest): void;
    /** Sends a message as the visitor; starts a request when no conversation is open. */
    send(text: string): void;
    /** Masks elements matching `selector` from now on when the screen is shared. Throws on an invalid selector. */
    mask(selector: string): void;
    /** Subscribes to an event; returns a function that unsubscribes. */
    on<K extends EventName>(event: K, listener: Listener<K>): Unsubscribe;
    /** Removes a listener added with `on`. Only present once tandem.js has loaded. */
    off?<K extends EventName>(event: K, listener: Listener<K>): void;
    /** Closes the connection, removes the widget and forgets the visitor on this browser. */
    shutdown(): void;
    /** Set by tandem.js once it runs. */
    readonly version?: string;
    /** Calls queued by the embed snippet before tandem.js loaded. */
    q: unknown[];
  }
}

declare var Tandem: Tandem.Api;

interface Window {
  Tandem: Tandem.Api;
}
