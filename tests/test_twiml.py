"""Our TwiML writer must send exactly what the twilio helper would: Twilio parses these bytes."""
from hypothesis import given, settings, strategies as st
from twilio.twiml.voice_response import VoiceResponse

from hotline.webhooks import twiml, xml

TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
ATTRIBUTE = st.one_of(TEXT, st.booleans(), st.integers(-5, 100))


@st.composite
def documents(draw):
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


def test_response_body_is_that_document_in_utf8():
    response = VoiceResponse()
    response.say("Cảnh báo lũ: <di dời> & \"ngay\"", language="vi-VN")
    response.gather(action="/voice/menu/main?ev=key&n=0", finish_on_key="", num_digits=1)
    sent = twiml(response)
    assert sent.mimetype == "text/xml"
    assert sent.get_data() == str(response).encode("utf-8")
