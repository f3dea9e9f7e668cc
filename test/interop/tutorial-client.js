// A foreign client for the interoperability test: it drives kurento-utils the way
// the Kurento group-call tutorial's browser client does (conferenceroom.js and
// participant.js): WebRtcPeerSendonly for itself, WebRtcPeerRecvonly per remote,
// generateOffer -> receiveVideoFrom, processAnswer, addIceCandidate.
// Query string: ?ws=<signaling URL>&room=<room>&name=<name>.
/* global kurentoUtils */
(function () {
  const query = new URLSearchParams(location.search);
  const name = query.get('name');
  const room = query.get('room');
  const socket = new WebSocket(query.get('ws'));
  const participants = {};
  const container = document.getElementById('participants');
  const configuration = { iceServers: [] };

  function send(message) {
    socket.send(JSON.stringify(message));
  }

  function createParticipant(participantName) {
    const video = document.createElement('video');
    video.autoplay = true;
    video.playsInline = true;
    video.dataset.name = participantName;
    if (participantName === name) video.muted = true;
    container.appendChild(video);
    const participant = { name: participantName, video, rtcPeer: null };
    participant.onIceCandidate = (candidate) =>
      send({ id: 'onIceCandidate', name: participantName, candidate });
    participant.offerToReceiveVideo = (error, sdpOffer) => {
      if (error) return console.error('offer failed', error);
      send({ id: 'receiveVideoFrom', sender: participantName, sdpOffer });
    };
    participants[participantName] = participant;
    return participant;
  }

  function receiveVideo(sender) {
    const participant = createParticipant(sender);
    participant.rtcPeer = new kurentoUtils.WebRtcPeer.WebRtcPeerRecvonly(
      { remoteVideo: participant.video, onicecandidate: participant.onIceCandidate, configuration },
      function (error) {
        if (error) return console.error(error);
        this.generateOffer(participant.offerToReceiveVideo);
      },
    );
  }

  function onExistingParticipants(message) {
    const me = createParticipant(name);
    me.rtcPeer = new kurentoUtils.WebRtcPeer.WebRtcPeerSendonly(
      {
        localVideo: me.video,
        mediaConstraints: { audio: true, video: { width: 320, height: 240, frameRate: 15 } },
        onicecandidate: me.onIceCandidate,
        configuration,
      },
      function (error) {
        if (error) return console.error(error);
        this.generateOffer(me.offerToReceiveVideo);
      },
    );
    message.data.forEach(receiveVideo);
  }

  socket.onopen = () => send({ id: 'joinRoom', name, room });
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    switch (message.id) {
      case 'existingParticipants':
        onExistingParticipants(message);
        break;
      case 'newParticipantArrived':
        receiveVideo(message.name);
        break;
      case 'participantLeft': {
        const participant = participants[message.name];
        if (participant) {
          participant.rtcPeer.dispose();
          participant.video.remove();
          delete participants[message.name];
        }
        break;
      }
      case 'receiveVideoAnswer':
        participants[message.name].rtcPeer.processAnswer(message.sdpAnswer, (error) => {
          if (error) console.error(error);
        });
        break;
      case 'iceCandidate':
        participants[message.name].rtcPeer.addIceCandidate(message.candidate, (error) => {
          if (error) console.error('candidate failed', error);
        });
        break;
      default:
        console.error('unrecognized message', message);
    }
  };
  window.tutorialClient = { participants, leave: () => send({ id: 'leaveRoom' }) };
})();
