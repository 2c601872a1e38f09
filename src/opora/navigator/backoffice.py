"""The back-office page «Словарь поиска» (``office/search-dictionary/``): the МОЦ lists,
adds, changes and deletes the entries of the search dictionary (``dictionary``)."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opora.accounts.decorators import section_page
from opora.core.forms import attach_errors
from opora.core.pages import page_of
from opora.errors import DomainError
from opora.navigator import dictionary
from opora.navigator.models import SearchSynonym


class EntryForm(forms.Form):
    variants = forms.CharField(
        label=gettext_lazy("Варианты"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Слова или сочетания, которые значат одно и то же, через запятую: "
                               "Python, питон. Поиск по любому из них находит программы со всеми."))


def _save(request, form, entry=None):
    if request.method == "POST" and form.is_valid():
        try:
            saved = dictionary.save_entry(request.user, form.cleaned_data["variants"], entry)
        except DomainError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Запись «%(entry)s» сохранена.") % {"entry": saved.variants})
            return redirect("navigator:dictionary")
    return None


@section_page("navigator.dictionary")
def dictionary_list(request):
    form = EntryForm(request.POST or None)
    done = _save(request, form)
    if done:
        return done
    return render(request, "navigator/office/dictionary.html", {
        "form": form, "page": page_of(request, dictionary.entries(), 50)},
        status=400 if form.errors else 200)


@section_page("navigator.dictionary")
def dictionary_edit(request, pk):
    entry = SearchSynonym.objects.filter(pk=pk).first()
    if entry is None:
        raise Http404(_("Такой записи в словаре нет."))
    if request.method == "POST" and "delete" in request.POST:
        dictionary.delete_entry(request.user, entry)
        messages.success(request, _("Запись «%(entry)s» удалена.") % {"entry": entry.variants})
        return redirect("navigator:dictionary")
    form = EntryForm(request.POST or None, initial={"variants": entry.variants})
    done = _save(request, form, entry)
    if done:
        return done
    return render(request, "navigator/office/dictionary_edit.html", {"form": form, "entry": entry},
                  status=400 if form.errors else 200)
