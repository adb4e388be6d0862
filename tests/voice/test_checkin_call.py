"""A check-in call-out (after a disaster) as Twilio runs it: a wrong key asks again, silence says goodbye."""
from hotline.core import prompts
from tests.conftest import BA_LAN
from tests.voice.conftest import Caller, spoken


def test_it_says_goodbye_after_a_wrong_key_and_then_silence_rather_than_hanging_up_mute(make_app):
    caller = Caller(make_app(), BA_LAN)
    said = spoken(caller.call("7", "", url="/voice/checkin/1?r=1"))
    ask, goodbye = prompts.say("alerts.voice.checkin_ask"), prompts.say("alerts.voice.goodbye")
    assert said == [ask, ask, goodbye]     # asked, a wrong key, asked again, silence
