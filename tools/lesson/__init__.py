"""The lesson page (make site): the video, its transcript, the derivations and an explorable, in one offline folder."""
