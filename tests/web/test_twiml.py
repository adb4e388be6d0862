"""Our TwiML writer must send exactly what the twilio helper would: Twilio parses these bytes."""
import xml.etree.ElementTree as ET

from hypothesis import given, settings, strategies as st
from twilio.twiml.voice_response import VoiceResponse

from hotline.core.text import NOT_XML
from hotline.web.webhooks import twiml, xml

TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters=[chr(c) for c in NOT_XML if c < 0xD800]),
               max_size=40)
ANY_TEXT = st.text(st.characters(codec=None), max_size=40)      # surrogates and control characters too


@st.composite
def documents(draw, TEXT=TEXT):
    ATTRIBUTE = st.one_of(TEXT, st.booleans(), st.integers(-5, 100))
    response = VoiceResponse()
    for _ in range(draw(st.integers(0, 4))):
        verb = draw(st.sampled_from(["say", "play", "gather", "record", "redirect", "dial", "hangup",
                                     "pause", "text", "reject"]))
        if verb == "gather":
            gather = response.gather(action=draw(TEXT), num_digits=draw(ATTRIBUTE), finish_on_key="",
                                     timeout=draw(ATTRIBUTE))
            for _ in range(draw(st.integers(0, 3))):
                gather.say(draw(TEXT), language="vi-VN") if draw(st.booleans()) else gather.play(draw(TEXT))
        elif verb == "dial":
            dial = response.dial(timeout=draw(ATTRIBUTE), caller_id=draw(TEXT))
            dial.number(draw(TEXT))
        elif verb == "say":
            response.say(draw(TEXT), language="vi-VN", loop=draw(st.one_of(st.none(), ATTRIBUTE)))
        elif verb in ("play", "redirect"):
            getattr(response, verb)(draw(TEXT))
        elif verb == "record":
            response.record(max_length=draw(ATTRIBUTE), play_beep=draw(st.booleans()), action=draw(TEXT))
        elif verb == "pause":
            response.pause(length=draw(ATTRIBUTE))
        elif verb == "text":
            response.append(draw(TEXT))        # a bare string verb: ElementTree's text/tail rules
        else:
            getattr(response, verb)()
    return response


@settings(max_examples=300, deadline=None)
@given(documents())
def test_writer_matches_the_twilio_helper(response):
    assert xml(response) == str(response)


@settings(max_examples=300, deadline=None)
@given(documents(ANY_TEXT))
def test_characters_xml_forbids_never_reach_the_document(response):
    body = twiml(response).get_data()
    ET.fromstring(body)                               # expat refuses any character XML 1.0 forbids
    assert not NOT_XML & {ord(c) for c in body.decode("utf-8")}


def test_a_control_character_is_dropped_and_the_rest_kept():
    response = VoiceResponse()
    response.say("Lũ\x0b lên\x00 nhanh\ud800\uffff", language="vi-VN")
    response.play("/audio/x.wav\x1f", loop="1\x08")
    root = ET.fromstring(twiml(response).get_data())
    assert root.find("Say").text == "Lũ lên nhanh"
    assert root.find("Play").text == "/audio/x.wav" and root.find("Play").get("loop") == "1"


def test_response_body_is_that_document_in_utf8():
    response = VoiceResponse()
    response.say("Cảnh báo lũ: <di dời> & \"ngay\"", language="vi-VN")
    response.gather(action="/voice/menu/main?ev=key&n=0", finish_on_key="", num_digits=1)
    sent = twiml(response)
    assert sent.mimetype == "text/xml"
    assert sent.get_data() == str(response).encode("utf-8")
