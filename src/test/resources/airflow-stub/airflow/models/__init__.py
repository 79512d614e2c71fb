class Variable:
    @staticmethod
    def get(key, default_var=None):
        return default_var
