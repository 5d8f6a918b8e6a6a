//! Hand-written bindings for the few WebRTC, media and Web Audio calls used.
//!
//! web-sys has most of them, but not the ones perfect negotiation relies on
//! (`setLocalDescription()` without arguments, `restartIce()`), and its
//! dictionaries and enums cost the widget bytes it has to count (the whole
//! widget must stay under 150 KB gzip). Each binding here is one small JS
//! shim; dictionaries are plain objects built with `Reflect`.

use js_sys::Promise;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(extends = web_sys::EventTarget, js_name = RTCPeerConnection)]
    #[derive(Clone, Debug)]
    pub type PeerConnection;

    #[wasm_bindgen(constructor, catch, js_class = RTCPeerConnection)]
    pub fn new(config: &JsValue) -> Result<PeerConnection, JsValue>;

    /// Without a description: the browser creates the offer or answer the
    /// signaling state calls for (perfect negotiation relies on it).
    #[wasm_bindgen(method, js_name = setLocalDescription)]
    pub fn set_local_description(this: &PeerConnection) -> Promise;

    #[wasm_bindgen(method, js_name = setRemoteDescription)]
    pub fn set_remote_description(this: &PeerConnection, description: &JsValue) -> Promise;

    #[wasm_bindgen(method, js_name = addIceCandidate)]
    pub fn add_ice_candidate(this: &PeerConnection, candidate: &JsValue) -> Promise;

    #[wasm_bindgen(method, getter = localDescription)]
    pub fn local_description(this: &PeerConnection) -> JsValue;

    #[wasm_bindgen(method, getter = signalingState)]
    pub fn signaling_state(this: &PeerConnection) -> String;

    #[wasm_bindgen(method, getter = iceConnectionState)]
    pub fn ice_connection_state(this: &PeerConnection) -> String;

    #[wasm_bindgen(method, js_name = addTrack)]
    pub fn add_track(this: &PeerConnection, track: &JsValue, stream: &MediaStream) -> RtpSender;

    #[wasm_bindgen(method, js_name = restartIce)]
    pub fn restart_ice(this: &PeerConnection);

    #[wasm_bindgen(method, catch, js_name = setConfiguration)]
    pub fn set_configuration(this: &PeerConnection, config: &JsValue) -> Result<(), JsValue>;

    #[wasm_bindgen(method)]
    pub fn close(this: &PeerConnection);

    #[wasm_bindgen(js_name = RTCRtpSender)]
    #[derive(Clone, Debug)]
    pub type RtpSender;

    /// `null` stops sending altogether (no RTP at all, unlike a disabled track).
    #[wasm_bindgen(method, js_name = replaceTrack)]
    pub fn replace_track(this: &RtpSender, track: &JsValue) -> Promise;

    #[wasm_bindgen(js_name = MediaStream)]
    #[derive(Clone, Debug, PartialEq)]
    pub type MediaStream;

    #[wasm_bindgen(method, js_name = getTracks)]
    pub fn get_tracks(this: &MediaStream) -> js_sys::Array;

    #[wasm_bindgen(js_name = MediaStreamTrack)]
    #[derive(Clone, Debug)]
    pub type Track;

    #[wasm_bindgen(method)]
    pub fn stop(this: &Track);

    /// `navigator.mediaDevices.getUserMedia`; throws a TypeError where
    /// `mediaDevices` does not exist (pages not served over HTTPS).
    #[wasm_bindgen(catch, js_namespace = ["navigator", "mediaDevices"], js_name = getUserMedia)]
    pub fn get_user_media(constraints: &JsValue) -> Result<Promise, JsValue>;

    #[wasm_bindgen(js_name = AudioContext)]
    #[derive(Clone, Debug)]
    pub type AudioContext;

    #[wasm_bindgen(constructor, catch, js_class = AudioContext)]
    pub fn new() -> Result<AudioContext, JsValue>;

    #[wasm_bindgen(method, catch, js_name = createMediaStreamSource)]
    pub fn create_media_stream_source(
        this: &AudioContext,
        stream: &MediaStream,
    ) -> Result<AudioNode, JsValue>;

    #[wasm_bindgen(method, js_name = createAnalyser)]
    pub fn create_analyser(this: &AudioContext) -> AudioNode;

    #[wasm_bindgen(method, js_name = close)]
    pub fn close_context(this: &AudioContext) -> Promise;

    #[wasm_bindgen(method, js_name = resume)]
    pub fn resume(this: &AudioContext) -> Promise;

    /// AudioNode, also standing in for its AnalyserNode subclass.
    #[wasm_bindgen(js_name = AudioNode)]
    #[derive(Clone, Debug)]
    pub type AudioNode;

    #[wasm_bindgen(method)]
    pub fn connect(this: &AudioNode, to: &AudioNode) -> JsValue;

    #[wasm_bindgen(method)]
    pub fn disconnect(this: &AudioNode);

    #[wasm_bindgen(method, js_name = getFloatTimeDomainData)]
    pub fn get_float_time_domain_data(this: &AudioNode, into: &mut [f32]);

    #[wasm_bindgen(js_name = setTimeout)]
    pub fn set_timeout(f: &js_sys::Function, ms: i32) -> i32;

    #[wasm_bindgen(js_name = clearTimeout)]
    pub fn clear_timeout(handle: i32);

    #[wasm_bindgen(js_name = setInterval)]
    pub fn set_interval(f: &js_sys::Function, ms: i32) -> i32;

    #[wasm_bindgen(js_name = clearInterval)]
    pub fn clear_interval(handle: i32);

    /// The `<audio>` that plays the other side.
    #[wasm_bindgen(extends = web_sys::Element, js_name = HTMLMediaElement)]
    #[derive(Clone, Debug)]
    pub type MediaElement;

    #[wasm_bindgen(method, setter = srcObject)]
    pub fn set_src_object(this: &MediaElement, stream: Option<&MediaStream>);
}

/// `object[key]`, or `undefined`.
pub fn get(object: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `object[key] = value`, on a plain object we just made.
pub fn set(object: &JsValue, key: &str, value: impl Into<JsValue>) {
    let _ = js_sys::Reflect::set(object, &JsValue::from_str(key), &value.into());
}

/// Stops every track of a stream (the browser's recording indicator goes out).
pub fn stop_tracks(stream: &MediaStream) {
    for track in stream.get_tracks().iter() {
        track.unchecked_into::<Track>().stop();
    }
}
