"""Learning from use: messages the bot did not understand, kept scrubbed of personal data,
for editors to label into nlu_data/ (bot/learning/scrub.py says what is removed)."""
