//! A WebRTC peer for the tests (webrtc-rs 0.21): one Opus audio track out,
//! counts of RTP packets in, and the call protocol's signals in and out.
//! Candidates trickle through `call.signal`; ones that arrive before the
//! remote description are held until it is set.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::time::{Duration, Instant};

use protocol::{ClientFrame, IceServer, SdpType, ServerFrame, Signal};
use rtc::media_stream::MediaStreamTrack;
use rtc::peer_connection::configuration::media_engine::MIME_TYPE_OPUS;
use rtc::rtp_transceiver::rtp_sender::{
    RTCRtpCodec, RTCRtpCodingParameters, RTCRtpEncodingParameters, RtpCodecKind,
};
use tandem_tests::{Accepted, Client};
use tokio::sync::{Mutex, mpsc, watch};
use webrtc::media_stream::track_local::TrackLocal;
use webrtc::media_stream::track_local::static_rtp::TrackLocalStaticRTP;
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};
use webrtc::peer_connection::{
    MediaEngine, PeerConnection, PeerConnectionBuilder, PeerConnectionEventHandler,
    RTCConfigurationBuilder, RTCIceCandidateInit, RTCIceCandidateType, RTCIceGatheringState,
    RTCIceServer, RTCIceTransportPolicy, RTCPeerConnectionIceEvent, RTCPeerConnectionState,
    RTCSessionDescription, SettingEngineBuilder,
};
use webrtc::rtp_transceiver::RtpSender;

/// How long a peer may take to connect: generous, the machine may be busy.
pub const CONNECT: Duration = Duration::from_secs(30);

/// An Opus frame of silence (TOC byte for 20 ms CELT fullband, then padding).
const OPUS_SILENCE: &[u8] = &[0xf8, 0xff, 0xfe];

pub struct Peer {
    pc: Arc<dyn PeerConnection>,
    track: Arc<TrackLocalStaticRTP>,
    sender: Arc<dyn RtpSender>,
    ssrc: u32,
    received: Arc<AtomicU32>,
    gathered_types: Arc<StdMutex<Vec<RTCIceCandidateType>>>,
    gathering: watch::Receiver<bool>,
    state: watch::Receiver<RTCPeerConnectionState>,
    early_candidates: Mutex<Vec<RTCIceCandidateInit>>,
}

struct Events {
    out: mpsc::UnboundedSender<Signal>,
    gathered_types: Arc<StdMutex<Vec<RTCIceCandidateType>>>,
    gathering: watch::Sender<bool>,
    state: watch::Sender<RTCPeerConnectionState>,
    received: Arc<AtomicU32>,
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for Events {
    async fn on_ice_candidate(&self, event: RTCPeerConnectionIceEvent) {
        self.gathered_types
            .lock()
            .unwrap()
            .push(event.candidate.typ);
        if let Ok(init) = event.candidate.to_json() {
            let _ = self.out.send(Signal::Candidate {
                candidate: init.candidate,
                sdp_mid: init.sdp_mid,
                sdp_mline_index: init.sdp_mline_index,
                username_fragment: init.username_fragment,
            });
        }
    }

    async fn on_ice_gathering_state_change(&self, state: RTCIceGatheringState) {
        if state == RTCIceGatheringState::Complete {
            let _ = self.gathering.send(true);
            let _ = self.out.send(Signal::EndOfCandidates);
        }
    }

    async fn on_connection_state_change(&self, state: RTCPeerConnectionState) {
        let _ = self.state.send(state);
    }

    async fn on_track(&self, track: Arc<dyn TrackRemote>) {
        let received = self.received.clone();
        tokio::spawn(async move {
            while let Some(event) = track.poll().await {
                match event {
                    TrackRemoteEvent::OnRtpPacket(_) => {
                        received.fetch_add(1, Ordering::SeqCst);
                    }
                    TrackRemoteEvent::OnEnded => break,
                    _ => {}
                }
            }
        });
    }
}

impl Peer {
    /// A peer using `ice_servers` (as handed out in `call.credentials`);
    /// `relay_only` restricts it to TURN relay candidates. Returns the peer
    /// and the signals it wants sent to the other side.
    pub async fn new(
        ice_servers: &[IceServer],
        relay_only: bool,
    ) -> anyhow::Result<(Arc<Peer>, mpsc::UnboundedReceiver<Signal>)> {
        let mut media = MediaEngine::default();
        media.register_default_codecs()?;
        let servers = ice_servers
            .iter()
            .map(|s| RTCIceServer {
                urls: s.urls.clone(),
                username: s.username.clone().unwrap_or_default(),
                credential: s.credential.clone().unwrap_or_default(),
            })
            .collect();
        let policy = if relay_only {
            RTCIceTransportPolicy::Relay
        } else {
            RTCIceTransportPolicy::All
        };
        let (out, signals) = mpsc::unbounded_channel();
        let (gathering_tx, gathering) = watch::channel(false);
        let (state_tx, state) = watch::channel(RTCPeerConnectionState::New);
        let received = Arc::new(AtomicU32::new(0));
        let gathered_types = Arc::new(StdMutex::new(Vec::new()));
        let pc = PeerConnectionBuilder::new()
            .with_configuration(
                RTCConfigurationBuilder::new()
                    .with_ice_servers(servers)
                    .with_ice_transport_policy(policy)
                    .build(),
            )
            .with_media_engine(media)
            .with_setting_engine(
                SettingEngineBuilder::new()
                    // Relayed pairs are nominated at once instead of after a wait.
                    .with_relay_acceptance_min_wait(Some(Duration::ZERO))
                    .build(),
            )
            .with_handler(Arc::new(Events {
                out,
                gathered_types: gathered_types.clone(),
                gathering: gathering_tx,
                state: state_tx,
                received: received.clone(),
            }))
            .with_udp_addrs(vec!["127.0.0.1:0".to_owned()])
            .build()
            .await?;
        let pc: Arc<dyn PeerConnection> = Arc::new(pc);
        let ssrc = rand_ssrc();
        let track = Arc::new(TrackLocalStaticRTP::new(MediaStreamTrack::new(
            "tandem-call".to_owned(),
            "mic".to_owned(),
            "microphone".to_owned(),
            RtpCodecKind::Audio,
            vec![RTCRtpEncodingParameters {
                rtp_coding_parameters: RTCRtpCodingParameters {
                    ssrc: Some(ssrc),
                    ..Default::default()
                },
                codec: RTCRtpCodec {
                    mime_type: MIME_TYPE_OPUS.to_owned(),
                    clock_rate: 48000,
                    channels: 2,
                    sdp_fmtp_line: "minptime=10;useinbandfec=1".to_owned(),
                    rtcp_feedback: vec![],
                },
                ..Default::default()
            }],
        )));
        let sender = pc.add_track(track.clone() as Arc<dyn TrackLocal>).await?;
        let peer = Peer {
            pc,
            track,
            sender,
            ssrc,
            received,
            gathered_types,
            gathering,
            state,
            early_candidates: Mutex::new(Vec::new()),
        };
        Ok((Arc::new(peer), signals))
    }

    /// Creates and applies an offer; returns it as a signal.
    pub async fn offer(&self) -> anyhow::Result<Signal> {
        let offer = self.pc.create_offer(None).await?;
        self.pc.set_local_description(offer.clone()).await?;
        Ok(Signal::Description {
            sdp_type: SdpType::Offer,
            sdp: offer.sdp,
        })
    }

    /// Applies a signal from the other side; returns the answer to send back
    /// when it was an offer.
    pub async fn apply(&self, signal: Signal) -> anyhow::Result<Option<Signal>> {
        match signal {
            Signal::Description { sdp_type, sdp } => {
                let desc = match sdp_type {
                    SdpType::Offer => RTCSessionDescription::offer(sdp)?,
                    SdpType::Answer => RTCSessionDescription::answer(sdp)?,
                    other => anyhow::bail!("the test peer does not handle {other:?}"),
                };
                self.pc.set_remote_description(desc).await?;
                for c in self.early_candidates.lock().await.drain(..) {
                    self.pc.add_ice_candidate(c).await?;
                }
                if sdp_type == SdpType::Offer {
                    let answer = self.pc.create_answer(None).await?;
                    self.pc.set_local_description(answer.clone()).await?;
                    return Ok(Some(Signal::Description {
                        sdp_type: SdpType::Answer,
                        sdp: answer.sdp,
                    }));
                }
                Ok(None)
            }
            Signal::Candidate {
                candidate,
                sdp_mid,
                sdp_mline_index,
                username_fragment,
            } => {
                let init = RTCIceCandidateInit {
                    candidate,
                    sdp_mid,
                    sdp_mline_index,
                    username_fragment,
                    ..Default::default()
                };
                let mut early = self.early_candidates.lock().await;
                if self.pc.remote_description().await.is_none() {
                    early.push(init);
                } else {
                    self.pc.add_ice_candidate(init).await?;
                }
                Ok(None)
            }
            Signal::EndOfCandidates => Ok(None),
        }
    }

    /// Waits until the connection is up; fails if it fails or `limit` passes.
    pub async fn connected(&self, limit: Duration) -> anyhow::Result<()> {
        let mut state = self.state.clone();
        let up = tokio::time::timeout(
            limit,
            state.wait_for(|s| {
                matches!(
                    s,
                    RTCPeerConnectionState::Connected
                        | RTCPeerConnectionState::Failed
                        | RTCPeerConnectionState::Closed
                )
            }),
        )
        .await
        .map_err(|_| anyhow::anyhow!("not connected within {limit:?}"))
        .map(|r| r.map(|s| *s))??;
        anyhow::ensure!(
            up == RTCPeerConnectionState::Connected,
            "connection ended as {up}"
        );
        Ok(())
    }

    /// Waits for ICE gathering to complete; returns the local candidate types.
    pub async fn gathered(&self, limit: Duration) -> anyhow::Result<Vec<RTCIceCandidateType>> {
        let mut done = self.gathering.clone();
        tokio::time::timeout(limit, done.wait_for(|d| *d))
            .await
            .map_err(|_| anyhow::anyhow!("ICE gathering not complete within {limit:?}"))??;
        Ok(self.gathered_types.lock().unwrap().clone())
    }

    /// Sends `count` Opus packets, 20 ms apart, with the negotiated payload type.
    pub async fn send_audio(&self, count: u16) -> anyhow::Result<()> {
        let payload_type = self
            .sender
            .get_parameters()
            .await?
            .rtp_parameters
            .codecs
            .first()
            .ok_or_else(|| anyhow::anyhow!("no negotiated codec"))?
            .payload_type;
        let mut tick = tokio::time::interval(Duration::from_millis(20));
        for seq in 0..count {
            tick.tick().await;
            self.track
                .write_rtp(rtc::rtp::packet::Packet {
                    header: rtc::rtp::header::Header {
                        version: 2,
                        payload_type,
                        sequence_number: seq,
                        timestamp: u32::from(seq) * 960,
                        ssrc: self.ssrc,
                        marker: seq == 0,
                        ..Default::default()
                    },
                    payload: bytes::Bytes::from_static(OPUS_SILENCE),
                })
                .await?;
        }
        Ok(())
    }

    /// RTP packets received from the other side so far.
    pub fn received(&self) -> u32 {
        self.received.load(Ordering::SeqCst)
    }

    pub async fn close(&self) {
        let _ = self.pc.close().await;
    }
}

fn rand_ssrc() -> u32 {
    let bytes = tandem_server::ids::random_bytes::<4>();
    u32::from_le_bytes(bytes)
}

/// The ICE servers handed to this side when the call became active.
pub async fn ice_servers(client: &mut Client) -> Vec<IceServer> {
    match client
        .expect(|f| matches!(f, ServerFrame::CallCredentials { .. }))
        .await
    {
        ServerFrame::CallCredentials { ice_servers, .. } => ice_servers,
        _ => unreachable!(),
    }
}

/// One side's signaling until `stop`: the peer's signals go out as
/// `call.signal`, the other side's are applied (an offer is answered).
pub async fn signaling(
    mut client: Client,
    session: String,
    call: String,
    peer: Arc<Peer>,
    mut signals: mpsc::UnboundedReceiver<Signal>,
    offers: bool,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<Client> {
    let frame = |signal| ClientFrame::CallSignal {
        session: session.clone(),
        call: call.clone(),
        signal,
    };
    if offers {
        let offer = peer.offer().await?;
        client.send(frame(offer)).await;
    }
    loop {
        tokio::select! {
            _ = stop.changed() => return Ok(client),
            Some(signal) = signals.recv() => {
                client.send(frame(signal)).await;
            }
            env = client.recv() => match env {
                Ok(env) => match env.frame {
                    ServerFrame::CallSignal { signal, .. } => {
                        if let Some(answer) = peer.apply(signal).await? {
                            client.send(frame(answer)).await;
                        }
                    }
                    ServerFrame::Error { code, message, .. } => {
                        anyhow::bail!("server refused a signal: {code:?} {message}")
                    }
                    _ => {}
                },
                // Quiet for a while: keep waiting.
                Err(e) if e.to_string().starts_with("no frame") => {}
                Err(e) => return Err(e),
            }
        }
    }
}

/// Connects both sides of the session's active call `call` with fresh peers
/// (ICE servers from `call.credentials`; the agent, impolite, offers) and
/// sends audio both ways until each side has received `packets` packets.
/// Returns the peers and the clients, handed back by signaling.
pub async fn talk_over(
    a: Accepted,
    call: &str,
    relay_only: bool,
    packets: u32,
) -> (Arc<Peer>, Arc<Peer>, Accepted) {
    let Accepted {
        agent: mut agent_client,
        agent_token,
        visitor: mut visitor_client,
        visitor_token,
        session,
    } = a;
    let agent_ice = ice_servers(&mut agent_client).await;
    let visitor_ice = ice_servers(&mut visitor_client).await;
    let (agent, agent_out) = Peer::new(&agent_ice, relay_only).await.expect("agent peer");
    let (visitor, visitor_out) = Peer::new(&visitor_ice, relay_only)
        .await
        .expect("visitor peer");
    let (stop, stopped) = watch::channel(false);
    let side = |client, peer: &Arc<Peer>, out, offers| {
        let call = call.to_string();
        tokio::spawn(signaling(
            client,
            session.clone(),
            call,
            peer.clone(),
            out,
            offers,
            stopped.clone(),
        ))
    };
    let agent_side = side(agent_client, &agent, agent_out, true);
    let visitor_side = side(visitor_client, &visitor, visitor_out, false);
    let (up_a, up_v) = tokio::join!(agent.connected(CONNECT), visitor.connected(CONNECT));
    up_a.expect("the agent's peer connects");
    up_v.expect("the visitor's peer connects");

    let sending = {
        let (agent, visitor) = (agent.clone(), visitor.clone());
        tokio::spawn(async move { tokio::join!(agent.send_audio(500), visitor.send_audio(500)) })
    };
    let until = Instant::now() + CONNECT;
    while agent.received() < packets || visitor.received() < packets {
        assert!(
            Instant::now() < until,
            "audio did not arrive: the agent heard {} packets, the visitor {}",
            agent.received(),
            visitor.received()
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    sending.abort();
    let _ = stop.send(true);
    let a = Accepted {
        agent: agent_side.await.unwrap().expect("agent signaling"),
        agent_token,
        visitor: visitor_side.await.unwrap().expect("visitor signaling"),
        visitor_token,
        session,
    };
    (agent, visitor, a)
}
