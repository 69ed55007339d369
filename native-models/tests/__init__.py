"""unittest suite of wavediff_models: /usr/bin/python3 -m unittest discover -s native-models/tests -t native-models"""
